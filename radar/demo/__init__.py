"""A deterministic demo corpus: bundled sample feeds with a known, planted ground truth."""
