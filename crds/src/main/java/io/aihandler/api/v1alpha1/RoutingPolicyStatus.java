package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Observed state of a RoutingPolicy. Conditions: Accepted (the spec makes sense), ResolvedRefs
 * (every target names a usable backend; the message names each that does not) and Ready.
 */
@JsonClassDescription(
    "Observed state, written by the operator: the conditions Accepted, ResolvedRefs and Ready.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoutingPolicyStatus extends ConditionedStatus {}
