// Cold start, baseline: a process that does nothing.
