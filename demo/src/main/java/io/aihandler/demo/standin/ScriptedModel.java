package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the stand-in models "think": small deterministic rules instead of a neural network, so the
 * demo runs without GPUs or keys and always tells the same story. The wire format around these
 * answers is each provider's real one; only the words are scripted.
 */
final class ScriptedModel {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Pattern ACCOUNT = Pattern.compile("\\bACCT-[0-9]{8}\\b");
  private static final Pattern PERSON =
      Pattern.compile("\\b(?:Mr\\.?|Ms\\.?|Dr\\.?)?\\s*([A-Z][a-z]+ [A-Z][a-z]+)\\b");
  private static final Pattern ORGANISATION =
      Pattern.compile("\\b([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)? (?:Ltd|GmbH|Inc|AG|Bank|Corp))\\b");
  private static final Set<String> NOT_NAMES =
      Set.of("The", "Please", "From", "Subject", "Dear", "Hello", "Thanks");
  private static final List<String> PRODUCTS =
      List.of("Pro plan", "mobile app", "invoice portal", "API", "Team plan");

  private ScriptedModel() {}

  /** The text of every message of an OpenAI-style request, joined: what a model would read. */
  static String conversation(JsonNode messages) {
    StringBuilder text = new StringBuilder();
    for (JsonNode message : messages) {
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        text.append(content.asText()).append('\n');
      } else if (content.isArray()) {
        content.forEach(part -> text.append(part.path("text").asText("")).append('\n'));
      }
    }
    return text.toString();
  }

  /** A plain-text answer, signed by the model so the demo shows who wrote it. */
  static String text(String model, String conversation) {
    String lower = conversation.toLowerCase(Locale.ROOT);
    if (lower.contains("summar")) {
      return "The customer was charged twice for the March invoice; billing confirmed the duplicate and a refund"
          + " is pending. Next step: confirm the refund reached the customer. ("
          + model
          + ")";
    }
    if (lower.contains("apolog")) {
      return "We are sorry your refund is taking longer than promised; it has been escalated and you will hear"
          + " from us within one business day. ("
          + model
          + ")";
    }
    return "Thank you for pointing this out: the second charge is a duplicate and we have started the refund,"
        + " which reaches your account within five business days. ("
        + model
        + ")";
  }

  /** An answer matching the schema, derived from what the request says. */
  static JsonNode structured(JsonNode schema, String conversation) {
    Set<String> required = names(schema.path("required"));
    if (required.containsAll(Set.of("category", "priority", "confidence"))) {
      return classification(conversation);
    }
    if (required.containsAll(Set.of("people", "accounts"))) {
      return entities(conversation);
    }
    return example(schema);
  }

  /** A classification that breaks its schema: a priority outside the enum and an extra field. */
  static JsonNode invalidClassification(String conversation) {
    ObjectNode answer = classification(conversation).deepCopy();
    answer.put("priority", "critical");
    answer.put("notes", "customer sounds upset");
    return answer;
  }

  private static ObjectNode classification(String conversation) {
    String lower = ticketOf(conversation).toLowerCase(Locale.ROOT);
    ObjectNode answer = JSON.objectNode();
    if (lower.contains("charged") || lower.contains("invoice") || lower.contains("refund")) {
      answer.put("category", "billing").put("priority", "high");
    } else if (lower.contains("error") || lower.contains("crash") || lower.contains("bug")) {
      answer.put("category", "bug").put("priority", "urgent");
    } else if (lower.contains("password") || lower.contains("login") || lower.contains("account")) {
      answer.put("category", "account").put("priority", "normal");
    } else if (lower.contains("would be nice") || lower.contains("feature")) {
      answer.put("category", "feature-request").put("priority", "low");
    } else {
      answer.put("category", "other").put("priority", "normal");
    }
    answer.put("confidence", 0.93);
    return answer;
  }

  private static ObjectNode entities(String conversation) {
    String ticket = ticketOf(conversation);
    ObjectNode answer = JSON.objectNode();
    ArrayNode people = answer.putArray("people");
    ArrayNode organisations = answer.putArray("organisations");
    ArrayNode products = answer.putArray("products");
    ArrayNode accounts = answer.putArray("accounts");
    Set<String> orgs = new LinkedHashSet<>(matches(ORGANISATION, ticket, 1));
    orgs.forEach(organisations::add);
    for (String person : new LinkedHashSet<>(matches(PERSON, ticket, 1))) {
      if (orgs.stream().noneMatch(org -> org.contains(person))
          && !NOT_NAMES.contains(person.split(" ")[0])) {
        people.add(person);
      }
    }
    PRODUCTS.stream().filter(ticket::contains).forEach(products::add);
    new LinkedHashSet<>(matches(ACCOUNT, ticket, 0)).forEach(accounts::add);
    return answer;
  }

  /** The ticket itself, without the task's instructions (they name the fields, not the ticket). */
  private static String ticketOf(String conversation) {
    int marker = conversation.indexOf("Ticket:");
    return marker < 0 ? conversation : conversation.substring(marker);
  }

  /** The smallest value a schema accepts, for schemas the rules above do not know. */
  private static JsonNode example(JsonNode schema) {
    if (schema.has("enum") && schema.get("enum").size() > 0) {
      return schema.get("enum").get(0);
    }
    String type = schema.path("type").asText("object");
    return switch (type) {
      case "string" -> JSON.textNode("example");
      case "number", "integer" -> JSON.numberNode(schema.path("minimum").asInt(0));
      case "boolean" -> JSON.booleanNode(true);
      case "array" -> JSON.arrayNode();
      default -> {
        ObjectNode object = JSON.objectNode();
        for (String name : names(schema.path("required"))) {
          object.set(name, example(schema.path("properties").path(name)));
        }
        yield object;
      }
    };
  }

  private static Set<String> names(JsonNode array) {
    Set<String> names = new LinkedHashSet<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  private static List<String> matches(Pattern pattern, String text, int group) {
    List<String> found = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.group(group).strip());
    }
    return found;
  }
}
