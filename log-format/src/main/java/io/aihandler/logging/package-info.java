/**
 * The one JSON log line schema of the operator and the router sidecar: a {@link
 * java.util.logging.Formatter} both processes install, the ids of the request a thread is serving,
 * and events that carry fields of their own.
 */
package io.aihandler.logging;
