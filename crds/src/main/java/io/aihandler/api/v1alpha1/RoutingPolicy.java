package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Which backends serve which kind of work: routes with prioritized and weighted targets,
 * strategies, fallbacks, retries, timeouts, circuit breaking, and enforced data classes.
 */
@JsonClassDescription(
    "Which backends serve which kind of work: routes with prioritized and weighted targets, strategies, fallbacks, retries, timeouts, circuit breaking, and data classes enforced fail-closed.")
@Group(ModelBackend.GROUP)
@Version(ModelBackend.VERSION)
@Plural("routingpolicies")
@ShortNames("rp")
@Categories("aihandler")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Whether every route has a usable backend")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Why the policy is or is not ready")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    getDescription = "Details, e.g. which backend is missing")
public class RoutingPolicy extends CustomResource<RoutingPolicySpec, RoutingPolicyStatus>
    implements Namespaced {}
