"""Server-rendered pages for submitters and reviewers: figures, review queue, history, completeness."""
