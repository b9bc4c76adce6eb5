"""Product areas and tags: the shared vocabulary of questions and ideas."""
