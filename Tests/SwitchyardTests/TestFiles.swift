#if canImport(Glibc)
    import Glibc
#endif

/// Whether golden files should be rewritten instead of compared.
func regenerating() -> Bool {
    getenv("SWITCHYARD_REGENERATE") != nil
}
