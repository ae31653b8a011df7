/**
 * The decision log as the coordinator sees it: the {@link dev.pledge.tm.log.Journal} contract and
 * the records it stores. A service-provider interface for log implementations, not an application
 * API: its types are public only because the implementations live in packages of their own.
 */
package dev.pledge.tm.log;
