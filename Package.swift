// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "apictl",
    products: [
        .executable(name: "apictl", targets: ["apictl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libsecret is opened with dlopen on first use (see keyring.c), so it is not linked.
        .target(name: "CLibSecret", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "APICtlCore",
            dependencies: [
                "CCurl",
                "CLibSecret",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(name: "APICtlCLI", dependencies: ["APICtlCore"]),
        .executableTarget(name: "apictl", dependencies: ["APICtlCLI"]),
        .testTarget(name: "APICtlCoreTests", dependencies: ["APICtlCore"]),
        .testTarget(name: "APICtlCLITests", dependencies: ["APICtlCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
