/**
 * The status side shared by every reconciler: the condition vocabulary and its merge ({@link
 * io.aihandler.controllers.status.Conditions}), the status patch that is sent only when the status
 * says something new ({@link io.aihandler.controllers.status.StatusPatch}), Events ({@link
 * io.aihandler.controllers.status.ResourceEvents}) and the status of a failed reconciliation
 * ({@link io.aihandler.controllers.status.FailureStatus}).
 */
package io.aihandler.controllers.status;
