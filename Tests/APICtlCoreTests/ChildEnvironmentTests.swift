import APICtlCore
import XCTest

/// The one rule for what a child (token command, pager, browser, OpenAPI helper) inherits.
final class ChildEnvironmentTests: XCTestCase {
    func testEverySecretVariableTheConfigNamesIsLeftOutAndTheRestKept() throws {
        let config = try ConfigStore.parse(Array("""
        [profiles.a]
        auth = "bearer"
        token_env = "A_TOKEN"
        [profiles.a.environments.prod]
        base_url = "https://a.example"
        token_env = "A_PROD_TOKEN"
        [profiles.a.oauth]
        client_id = "x"
        client_secret_env = "A_CLIENT_SECRET"
        [profiles.b]
        auth = "token"
        base_url = "https://b.example"
        token_env = "B_TOKEN"
        client_key_passphrase_env = "B_KEY_PASSPHRASE"
        """.utf8), path: "test.toml")
        let environment = ["B_KEY_PASSPHRASE": "9", "A_TOKEN": "1", "A_PROD_TOKEN": "2", "A_CLIENT_SECRET": "3", "B_TOKEN": "4", "APICTL_TOKEN": "5",
                           "APICTL_PASSPHRASE": "6", "APICTL_PASSPHRASE_FILE": "7", "APICTL_NEW_PASSPHRASE": "8",
                           "PATH": "/usr/bin", "HOME": "/home/u", "VAULT_TOKEN": "the command's own"]
        let child = ChildEnvironment(environment, config: config)
        XCTAssertEqual(child.variables, ["PATH": "/usr/bin", "HOME": "/home/u", "VAULT_TOKEN": "the command's own"])
        XCTAssertEqual(ChildEnvironment(environment, config: nil)["A_TOKEN"], "1", "without a config, only apictl's own are known")
        XCTAssertNil(ChildEnvironment(environment, config: nil)["APICTL_TOKEN"])
    }
}
