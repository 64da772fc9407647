public enum APICtlVersion {
    public static let current = "0.1.0"
}
