/**
 * Files: safetensors (PyTorch interoperability), a small JSON reader and writer (safetensors headers,
 * JSON lines), and atomic writes so that a crash never leaves half a file.
 */
package org.gradprobe.io;
