"""The conference as typed data: loaded from data/*.yml, cross-checked, knowing nothing of HTML."""
