"""Front ends for people: the files an analysis writes and its HTML report."""
