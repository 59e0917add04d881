using System.Reflection;
using System.Reflection.Emit;

namespace EventRouter.Tests.Layering;

/// <summary>
/// Which namespaces of an assembly use which, read from the compiled assembly: every type's base
/// type, interfaces, fields, properties, events, method signatures and attributes, and every type,
/// method and field token in its method bodies (so <c>new</c>, calls, field access, <c>typeof</c> and
/// casts count; XML doc references and <c>nameof</c>, which leave nothing in IL, do not). Nested and
/// compiler-generated types (lambdas, async state machines) count for the namespace they sit in.
/// </summary>
internal static class NamespaceDependencies
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Edges "namespace → namespace it uses" between namespaces of <paramref name="assembly"/> itself.</summary>
    public static IReadOnlyDictionary<string, HashSet<string>> Of(Assembly assembly, out IReadOnlyList<string> unresolved)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var type in assembly.GetTypes())
        {
            var from = type.Namespace ?? "";
            var used = edges.TryGetValue(from, out var set) ? set : edges[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var referenced in ReferencedTypes(type, failures))
            {
                foreach (var t in Expand(referenced))
                {
                    if (t.Assembly == assembly && t.Namespace is { } ns && ns != from) used.Add(ns);
                }
            }
        }
        unresolved = failures;
        return edges;
    }

    /// <summary>Each cycle found, as the namespaces on it (first repeated at the end); empty when there is none.</summary>
    public static IReadOnlyList<string> Cycles(IReadOnlyDictionary<string, HashSet<string>> edges, Func<string, bool> include)
    {
        var cycles = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        void Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (!include(next)) continue;
                if (state.GetValueOrDefault(next) == 1) cycles.Add(string.Join(" -> ", path.SkipWhile(n => n != next).Append(next)));
                else if (state.GetValueOrDefault(next) == 0) Visit(next);
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
        }
        foreach (var node in edges.Keys.Where(include).Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0) Visit(node);
        }
        return cycles;
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!)) yield return t;
            yield break;
        }
        if (type.IsGenericParameter) yield break;
        yield return type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var t in Expand(argument)) yield return t;
            }
        }
    }

    private static IEnumerable<Type> ReferencedTypes(Type type, List<string> failures)
    {
        if (type.BaseType is { } baseType) yield return baseType;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var a in type.CustomAttributes) yield return a.AttributeType;
        foreach (var f in type.GetFields(Declared)) yield return f.FieldType;
        foreach (var p in type.GetProperties(Declared)) yield return p.PropertyType;
        foreach (var e in type.GetEvents(Declared)) if (e.EventHandlerType is { } handler) yield return handler;
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));
        foreach (var method in methods)
        {
            if (method is MethodInfo info) yield return info.ReturnType;
            foreach (var p in method.GetParameters()) yield return p.ParameterType;
            foreach (var a in method.CustomAttributes) yield return a.AttributeType;
            if (method.GetMethodBody() is { } body)
            {
                foreach (var local in body.LocalVariables) yield return local.LocalType;
                foreach (var t in BodyTypes(method, body.GetILAsByteArray() ?? [], failures)) yield return t;
            }
        }
    }

    /// <summary>The types named by the tokens of an IL stream: the type itself, or a member's declaring type and signature.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method, byte[] il, List<string> failures)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var found = new List<Type>();
        var i = 0;
        while (i < il.Length)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    i += 4;
                    try
                    {
                        switch (method.Module.ResolveMember(token, typeArguments, methodArguments))
                        {
                            case Type t: found.Add(t); break;
                            case FieldInfo f: found.Add(f.DeclaringType!); found.Add(f.FieldType); break;
                            case MethodBase m:
                                if (m.DeclaringType is { } d) found.Add(d);
                                if (m is MethodInfo mi) { found.Add(mi.ReturnType); found.AddRange(mi.GetGenericArguments()); }
                                found.AddRange(m.GetParameters().Select(p => p.ParameterType));
                                break;
                        }
                    }
                    catch (Exception ex) when (ex is ArgumentException or TypeLoadException or FileNotFoundException or BadImageFormatException)
                    {
                        failures.Add($"{method.DeclaringType}.{method.Name}: token 0x{token:x8}: {ex.GetType().Name}");
                    }
                    break;
                default: i += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
        return found;
    }
}
