"""The domain: drafts, revisions, workflow, sign-offs, audit."""
