/**
 * Reports of the probe: the terminal table, JSON lines (the run's record, documented in the README),
 * the self-contained HTML report with inline SVG charts, and TensorBoard event files.
 */
package org.gradprobe.report;
