/**
 * The file log: CRC32C-framed, preallocated segment files with group commit, checkpoints and
 * replay. {@link dev.pledge.tm.log.file.FileJournal} is the entry point; the rest is internal.
 */
package dev.pledge.tm.log.file;
