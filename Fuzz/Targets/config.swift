@testable import APICtlCore
import FoundationEssentials

/// The config loader: any bytes as the config file; what loads must resolve
/// without crashing and survive a write and a re-read unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let config: ConfigFile
        do throws(APICtlError) { config = try ConfigStore.parse(bytes, path: "fuzz.toml") } catch {
            expect(error.exitCode == .configuration, "a bad config is exit 3")
            return
        }
        for (name, profile) in config.profiles {
            let environments = (profile.environments ?? [:]).keys.map(Optional.some) + [nil]
            for environment in environments {
                if let resolved = try? ResolvedProfile.resolve(name: name, config: profile, requestedEnvironment: environment,
                                                                configPath: "fuzz.toml") {
                    _ = try? resolved.url(for: "/x/{id}")
                    _ = resolved.environmentMismatch(of: "sk_live_x", requireOwnPrefix: true)
                }
            }
        }
        let written = ConfigTOML.encode(config)
        guard let again = try? ConfigStore.parse(Array(written.utf8), path: "fuzz.toml") else {
            expect(false, "a config apictl wrote reads back:\n\(written)")
            return
        }
        expect(again == config, "a config survives a write and a re-read")
    }
}
