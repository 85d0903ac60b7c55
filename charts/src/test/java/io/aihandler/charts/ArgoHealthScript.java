package io.aihandler.charts;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs one of the chart's Argo CD {@code health.lua} scripts the way Argo CD does: the resource as
 * a global table {@code obj}, only the base, table, string and math libraries (no io or os), and
 * the script's returned table read as {@code {status=..., message=...}}.
 */
final class ArgoHealthScript {

  /** Where Argo CD's resource_customizations layout keeps the scripts. */
  static Path directory() {
    return Manifests.repositoryRoot().resolve("charts/argocd/resource_customizations/aihandler.io");
  }

  static Path file(String kind) {
    return directory().resolve(kind).resolve("health.lua");
  }

  /** What Argo CD reads from the returned table. */
  record Health(String status, String message) {}

  private final String source;
  private final String kind;

  private ArgoHealthScript(String kind, String source) {
    this.kind = kind;
    this.source = source;
  }

  static ArgoHealthScript of(String kind) {
    try {
      return new ArgoHealthScript(kind, Files.readString(file(kind)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The health of a resource given as YAML. */
  Health assess(String yaml) {
    return assess(Manifests.parse(yaml));
  }

  Health assess(JsonNode resource) {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    globals.set("obj", toLua(resource));
    LuaValue result = globals.load(source, kind + "/health.lua").call();
    if (!result.istable()) {
      throw new AssertionError(
          kind + "/health.lua returned " + result.typename() + ", not a table");
    }
    LuaValue status = result.get("status");
    LuaValue message = result.get("message");
    return new Health(
        status.isnil() ? null : status.tojstring(), message.isnil() ? null : message.tojstring());
  }

  /**
   * JSON to Lua as Argo CD converts unstructured objects: objects and arrays become tables (arrays
   * 1-based).
   */
  static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        table.set(field.getKey(), toLua(field.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isIntegralNumber()) {
      return LuaInteger.valueOf(node.longValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }
}
