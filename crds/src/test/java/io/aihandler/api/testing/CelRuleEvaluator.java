package io.aihandler.api.testing;

import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles and evaluates {@code x-kubernetes-validations} rules the way the API server does for the
 * subset of CEL this API uses: {@code self} bound to the value at the rule's schema node, standard
 * macros, and the strings extension Kubernetes also enables.
 */
public final class CelRuleEvaluator {

  private final CelCompiler compiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("self", SimpleType.DYN)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addLibraries(CelExtensions.strings())
          .build();

  private final CelRuntime runtime =
      CelRuntimeFactory.standardCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();

  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  /** Compiles an expression, failing with the compiler's message when it does not compile. */
  public CelRuntime.Program compile(String expression) {
    return programs.computeIfAbsent(
        expression,
        source -> {
          CelValidationResult result = compiler.compile(source);
          if (result.hasError()) {
            throw new IllegalArgumentException(
                "CEL rule does not compile: " + source + "\n" + result.getErrorString());
          }
          try {
            return runtime.createProgram(result.getAst());
          } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalArgumentException("CEL rule cannot be planned: " + source, e);
          }
        });
  }

  /** Evaluates an expression with {@code self} bound to a CEL value (see {@link CelValues}). */
  public Object evaluate(String expression, Object self) {
    try {
      return compile(expression).eval(Map.of("self", self));
    } catch (CelEvaluationException e) {
      throw new IllegalStateException(
          "CEL rule failed to evaluate: " + expression + ": " + e.getMessage(), e);
    }
  }
}
