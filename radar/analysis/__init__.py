"""Topic analysis: clustering a window of stored embeddings into tracked topics with growth."""
