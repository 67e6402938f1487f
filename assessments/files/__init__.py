"""Files exchanged with the outside: question banks, organisation files, responses
spreadsheets, campaign archives (read, checked whole, then written in one transaction) and the
spreadsheet exports. `formats.py` reads any of them safely; docs/file-formats.md is the
format of each."""
