import CGraphviz
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lays out DOT text with Graphviz's `dot` engine and returns it as SVG text, in process
/// (libgvc), without the `dot` program.
///
/// This is the only code that touches Graphviz: every Graphviz pointer is created, used and
/// freed inside ``svg(fromDOT:)`` (a context, a graph, its layout and the rendered buffer, freed
/// in reverse order by `defer`), and only Swift strings and ``GraphvizError`` come out.
///
/// Graphviz is not thread-safe (cgraph and its error reporting are process-global), so every
/// call runs under one process-wide lock.
///
/// **Determinism.** Two things would make the same DOT come out differently. First, cgraph
/// orders subgraphs by the heap address of their names, so two layouts of one graph in one
/// process could place clusters differently; the graph is therefore read with an arena memory
/// discipline (`switchyard_agmemread` in the CGraphviz shim) whose addresses grow in creation
/// order. Second, text size: with its Pango plugin Graphviz measures labels with the installed fonts, so installing
/// a font package moves every box. The renderer therefore builds its context from just the two
/// plugins it needs — `core` (the SVG writer) and `dot_layout` — found in Graphviz's own plugin
/// directory, and Graphviz falls back to its built-in Helvetica/Times metrics: the same DOT
/// gives the same SVG on every machine with the same Graphviz version. When those plugins cannot
/// be found (an unusual installation), the renderer uses Graphviz's configured plugins instead;
/// the output is still the same from run to run on that machine.
struct GraphvizRenderer {
    /// The two plugin libraries, resolved once under the lock.
    private enum Plugins {
        case unresolved
        /// `gvplugin_library_t` pointers for core and dot_layout; they stay loaded for the life
        /// of the process, as Graphviz keeps its own plugins.
        case fontIndependent(core: UnsafeMutableRawPointer, dotLayout: UnsafeMutableRawPointer)
        /// Not found: use `gvContext()` and whatever plugins Graphviz is configured with.
        case configured
    }

    private static let lock = Mutex<Plugins>(.unresolved)

    /// The SVG Graphviz writes for `dot` (a complete document, prolog included).
    static func svg(fromDOT dot: String) throws(GraphvizError) -> String {
        try lock.withLock { plugins throws(GraphvizError) -> String in
            // Errors go to Graphviz's buffer (read back with aglasterr) instead of stderr.
            let previousLevel = agseterr(AGMAX)
            defer { agseterr(previousLevel) }
            _ = agreseterrors()

            guard let gvc = makeContext(&plugins) else {
                throw GraphvizError(stage: .context, message: lastMessage() ?? "cannot create a context")
            }
            defer { gvFreeContext(gvc) }
            guard let graph = switchyard_agmemread(dot) else {
                throw GraphvizError(stage: .parse, message: lastMessage() ?? "the DOT text is not valid")
            }
            defer { agclose(graph) }
            guard gvLayout(gvc, graph, "dot") == 0 else {
                throw GraphvizError(stage: .layout, message: lastMessage() ?? "the dot layout engine failed")
            }
            defer { gvFreeLayout(gvc, graph) }
            var data: UnsafeMutablePointer<CChar>? = nil
            var length: UInt32 = 0
            let status = gvRenderData(gvc, graph, "svg", &data, &length)
            defer { if let data { gvFreeRenderData(data) } }
            guard status == 0, let data else {
                throw GraphvizError(stage: .render, message: lastMessage() ?? "the svg renderer failed")
            }
            return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(length)), as: UTF8.self)
        }
    }

    /// A context with only the core and dot_layout plugins (see the type's discussion), or
    /// Graphviz's default context when they cannot be found.
    private static func makeContext(_ plugins: inout Plugins) -> OpaquePointer? {
        if case .unresolved = plugins { plugins = resolvePlugins() }
        switch plugins {
        case .fontIndependent(let core, let dotLayout):
            guard let gvc = gvContextPlugins(nil, 0) else { return nil }
            gvAddLibrary(gvc, core.assumingMemoryBound(to: gvplugin_library_t.self))
            gvAddLibrary(gvc, dotLayout.assumingMemoryBound(to: gvplugin_library_t.self))
            return gvc
        case .configured, .unresolved:
            return gvContext()
        }
    }

    /// Finds `libgvplugin_core` and `libgvplugin_dot_layout` in the directory Graphviz itself
    /// loads plugins from (`gvconfig_libdir`, which honours `GVBINDIR`).
    private static func resolvePlugins() -> Plugins {
        // gvconfig_libdir is exported by libgvc but not declared in its public headers, so it is
        // looked up at run time; without it we simply use the configured plugins.
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "gvconfig_libdir"),
            let probe = gvContextPlugins(nil, 0)
        else { return .configured }
        defer { gvFreeContext(probe) }
        typealias LibDir = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
        let libdir = unsafeBitCast(symbol, to: LibDir.self)
        guard let directory = libdir(probe).map({ String(cString: $0) }) else { return .configured }

        func library(_ name: String) -> UnsafeMutableRawPointer? {
            for file in ["lib\(name).so.6", "lib\(name).so", "lib\(name).6.dylib", "lib\(name).dylib"] {
                guard let handle = dlopen(directory + "/" + file, RTLD_NOW | RTLD_LOCAL) else { continue }
                if let table = dlsym(handle, "\(name)_LTX_library") { return table }
                dlclose(handle)
            }
            return nil
        }
        guard let core = library("gvplugin_core"), let dotLayout = library("gvplugin_dot_layout") else {
            return .configured
        }
        return .fontIndependent(core: core, dotLayout: dotLayout)
    }

    /// Graphviz's last error or warning message on one line, if it recorded one.
    private static func lastMessage() -> String? {
        guard let text = aglasterr() else { return nil }
        defer { free(text) }
        let message = String(cString: text).split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingWhitespace()
        return message.isEmpty ? nil : message
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
