"""SQL that PostGIS should do: overlaps, free ground, paging filters."""
