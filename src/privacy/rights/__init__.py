"""Data subject rights (issue 6): the request workflow, its deadlines and its proof."""
