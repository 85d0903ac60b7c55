/**
 * Shadow evaluation: after a task's client has its answer, a sample of its requests is sent again
 * to candidate backends on threads of their own, judged like real calls and compared with the
 * primary's answer, within fixed bounds of threads, queue, heap and a daily cost cap, and never
 * where the request's data classes forbid.
 */
package io.aihandler.router.shadow;
