package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/**
 * The top-level fields of a chat-completions request a translating provider (Anthropic, Gemini)
 * accepts. OpenAI-shaped backends get the request as it is and judge it themselves; a translation
 * must not let a field vanish on the way, so every field is either mapped, refused with a reason by
 * the translator, or one of the few OpenAI-side bookkeeping fields that no other provider has and
 * that change nothing in the answer ({@link #NO_EFFECT}). Anything else is refused here.
 */
public final class ChatRequestFields {

  /**
   * OpenAI's own bookkeeping (stored completions, dashboard tags, its service tiers, its prompt
   * cache, its abuse-monitoring id): meaningless to another provider, harmless to leave out, and
   * listed in the API reference as such.
   */
  public static final Set<String> NO_EFFECT =
      Set.of("store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier");

  private ChatRequestFields() {}

  /**
   * Refuses the first field that is neither translated ({@code translated}), refused by the
   * translator itself with a better reason ({@code refusedElsewhere}), nor in {@link #NO_EFFECT}.
   *
   * @param provider the provider's name, for the message
   */
  public static void refuseUnknown(
      ObjectNode chat, Set<String> translated, Set<String> refusedElsewhere, String provider) {
    Iterator<String> names = chat.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      JsonNode value = chat.get(name);
      if (translated.contains(name)
          || refusedElsewhere.contains(name)
          || NO_EFFECT.contains(name)
          || value.isNull()) {
        continue;
      }
      throw new UnsupportedRequestException(
          name,
          "Unsupported parameter '"
              + clip(name)
              + "': the translation to "
              + provider
              + " has no equivalent, and the sidecar does not drop fields silently");
    }
  }

  private static String clip(String name) {
    return name.length() <= 64 ? name : name.substring(0, 64) + "...";
  }
}
