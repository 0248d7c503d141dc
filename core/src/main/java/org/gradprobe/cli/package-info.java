/**
 * The command line: {@code gradprobe demo | train | eval | grads | models}. Errors become one line and an
 * exit code (2 for usage, 1 for data and runtime errors); stack traces only with {@code --debug}.
 */
package org.gradprobe.cli;
