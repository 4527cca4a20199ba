// Placeholder: the emulator host is built in the foundation issue.
return 0;
