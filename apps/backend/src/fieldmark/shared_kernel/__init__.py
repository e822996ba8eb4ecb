"""The few types every context may share: ids, time, errors and the events that cross contexts."""
