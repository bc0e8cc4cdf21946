"""Writing captures and their data out: Chrome trace JSON (chrome), tracy-csvexport CSV (csv), Parquet (parquet) and
.tracy files through the engine's writer (save). These modules take the capture's data; they do not import the
analysis layer at run time."""
