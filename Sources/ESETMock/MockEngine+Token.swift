import HTTPServer
import JSON

extension MockEngine {
    /// `POST /oauth/token`: password and refresh_token grants, refresh tokens rotating on use.
    func token(_ request: HTTPRequest, region: MockRegion, _ context: inout CallContext) -> HTTPResponse {
        guard request.method == "POST" else { return Reply.methodNotAllowed("POST") }
        let contentType = (request.headers["Content-Type"] ?? "").lowercased()
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/x-www-form-urlencoded" else {
            var response = Reply.oauth(415, error: "invalid_request",
                                       "the body must be application/x-www-form-urlencoded")
            response.headers.set("Accept", "application/x-www-form-urlencoded")
            return response
        }
        var fields: [String: String] = [:]
        for (name, value) in MockEngine.formFields(request.body) where fields[name] == nil { fields[name] = value }
        guard let grant = fields["grant_type"], !grant.isEmpty else {
            return Reply.oauth(400, error: "invalid_request", "grant_type is required")
        }
        guard grant == "password" || grant == "refresh_token" else {
            return Reply.oauth(400, error: "unsupported_grant_type", "grant_type must be password or refresh_token")
        }
        let fired = state.withLock { $0.fireRule(route: .token, grant: grant, region: region) }
        return apply(fired, route: .token, &context) {
            grant == "password" ? passwordGrant(fields, region: region) : refreshGrant(fields, region: region)
        }
    }

    private func passwordGrant(_ fields: [String: String], region: MockRegion) -> HTTPResponse {
        guard let username = fields["username"], !username.isEmpty, let password = fields["password"] else {
            return Reply.oauth(400, error: "invalid_request", "username and password are required")
        }
        let wanted = username.lowercased()
        let account = configuration.accounts.first { $0.username.lowercased() == wanted }
        // Compare against something even for an unknown user, so timing does not reveal which
        // usernames exist.
        let passwordMatches = SecureToken.constantTimeEquals(password, account?.password ?? "\u{0}no-such-user")
        // An unfinished first login and a Superuser answer like a wrong password: the most
        // likely reading of ESET's documentation, not a confirmed wire answer.
        guard let account, passwordMatches, account.regions.contains(region), account.mayObtainToken else {
            return Reply.oauth(400, error: "invalid_grant", "invalid username or password")
        }
        return issueTokens(username: account.username, region: region)
    }

    private func refreshGrant(_ fields: [String: String], region: MockRegion) -> HTTPResponse {
        guard let presented = fields["refresh_token"], !presented.isEmpty else {
            return Reply.oauth(400, error: "invalid_request", "refresh_token is required")
        }
        let username: String? = state.withLock { state in
            guard let (selector, validator) = SecureToken.split(presented),
                  let entry = state.refreshTokens[selector],
                  SecureToken.constantTimeEquals(entry.validator, validator),
                  entry.region == region else { return nil }
            // Rotation: a refresh token works once.
            state.refreshTokens[selector] = nil
            return entry.username
        }
        guard let username else {
            return Reply.oauth(400, error: "invalid_grant", "the refresh token is invalid, expired or already used")
        }
        return issueTokens(username: username, region: region)
    }

    private func issueTokens(username: String, region: MockRegion) -> HTTPResponse {
        let access = SecureToken.make()
        let refresh = SecureToken.make()
        let issuedAt = now
        let lifetime: Int = state.withLock { state in
            let lifetime = state.settings.tokenLifetime ?? configuration.tokenLifetime
            state.accessTokens[access.selector] = IssuedAccessToken(
                validator: access.validator, region: region, username: username,
                expiresAt: issuedAt + Double(lifetime))
            state.refreshTokens[refresh.selector] = IssuedRefreshToken(validator: refresh.validator, region: region,
                                                                        username: username)
            return lifetime
        }
        var writer = JSONWriter(reservingCapacity: 256)
        writer.beginObject()
        writer.key("access_token")
        writer.string(access.text)
        writer.key("refresh_token")
        writer.string(refresh.text)
        writer.key("token_type")
        writer.string("Bearer")
        writer.key("expires_in")
        writer.int(lifetime)
        writer.endObject()
        var response = HTTPResponse.json(200, writer.bytes)
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
