"""The FiftyOne adapter: the only part of synthgap that imports fiftyone."""
