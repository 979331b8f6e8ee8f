//! The Bitbucket connection form: its fields, how they are checked, and the connection they make.
//!
//! Validation is pure and field by field, so the app can show a message under a field as soon as the user
//! leaves it, and all of them on **Create**. Messages say what is wrong and what to do.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::repo_url::{
    is_loopback, parse_repository_url, Flavour, RepositoryLocation, RepositoryUrlError,
    MAX_URL_CHARS,
};

/// Longest connection name accepted.
pub const NAME_MAX_CHARS: usize = 50;

/// Shortest token whose presence in another field is reported: shorter values (a few letters) could
/// appear in a name or URL by chance.
const TOKEN_ECHO_MIN_CHARS: usize = 8;

/// A secret (an access token). It is never shown: `Debug` prints `<redacted>`, there is no `Display`,
/// no `Serialize` and no `Deserialize`, so it cannot end up in a log line, a message or a stored record by
/// accident. Code that must send it calls [`Secret::expose`].
///
/// ```
/// use versioning_core::connection::Secret;
///
/// let token = Secret::from("ATATT-very-secret");
/// assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
/// assert_eq!(token.expose(), "ATATT-very-secret");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself: only for the `Authorization` header and the session store.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether no secret was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("Secret(<empty>)")
        } else {
            f.write_str("Secret(<redacted>)")
        }
    }
}

/// The fields of the connection form, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// **Connection Name**.
    Name,
    /// **Access Token**.
    Token,
    /// **Repository URL**.
    RepositoryUrl,
    /// **Username**.
    Username,
    /// The optional **API base URL** under "Advanced".
    ApiBaseUrl,
}

impl Field {
    /// Every field, in display order.
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::Token,
        Field::RepositoryUrl,
        Field::Username,
        Field::ApiBaseUrl,
    ];

    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Connection Name",
            Field::Token => "Access Token",
            Field::RepositoryUrl => "Repository URL",
            Field::Username => "Username",
            Field::ApiBaseUrl => "API base URL",
        }
    }
}

/// How the token is sent to Bitbucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// `Authorization: Bearer <token>`: repository/project/workspace access tokens and Data Center HTTP
    /// access tokens (the **Personal access token (PAT)** box is ticked).
    Bearer,
    /// `Authorization: Basic`: a Cloud API token with the Atlassian account email, or a Data Center token
    /// with the Bitbucket username.
    Basic,
}

impl AuthMode {
    /// The mode the PAT checkbox selects.
    pub fn from_pat(pat: bool) -> Self {
        if pat {
            AuthMode::Bearer
        } else {
            AuthMode::Basic
        }
    }
}

/// What the user typed, exactly as typed. `Debug` never shows the token, and the form has no
/// `Serialize`: what is stored is a record without the token, built field by field.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnectionForm {
    /// Connection Name.
    pub name: String,
    /// Access Token (a secret: never log or persist it; [`ConnectionForm::secret_token`] wraps it).
    pub token: String,
    /// The **Personal access token (PAT)** checkbox.
    pub pat: bool,
    /// Repository URL.
    pub repository_url: String,
    /// Username (an email for Cloud API tokens).
    pub username: String,
    /// Optional API base URL (a proxy or relay in front of the API); empty means "derive from the URL".
    pub api_base_url: String,
}

impl fmt::Debug for ConnectionForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionForm")
            .field("name", &without_token(&self.name, &self.token))
            .field("token", &self.secret_token())
            .field("pat", &self.pat)
            .field(
                "repository_url",
                &without_token(&self.repository_url, &self.token),
            )
            .field("username", &without_token(&self.username, &self.token))
            .field(
                "api_base_url",
                &without_token(&self.api_base_url, &self.token),
            )
            .finish()
    }
}

/// The text with every occurrence of a (non-empty) token replaced, for `Debug` output of fields the user
/// may have pasted the token into by mistake.
fn without_token(text: &str, token: &str) -> String {
    let token = token.trim();
    if token.is_empty() {
        text.to_owned()
    } else {
        text.replace(token, "<redacted>")
    }
}

/// Why a field of the connection form is not accepted. `Display` says what is wrong and what to do;
/// no message ever contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// No connection name.
    #[error("Enter a name for this connection, e.g. \"Checkout tests\".")]
    NameMissing,
    /// A name longer than [`NAME_MAX_CHARS`].
    #[error("Use at most {NAME_MAX_CHARS} characters (this name has {length}).")]
    NameTooLong {
        /// The name's length, in characters.
        length: usize,
    },
    /// A character names may not contain.
    #[error("\"{0}\" is not allowed. Use letters, digits, spaces, \"-\", \"_\" and \".\".")]
    NameCharacter(char),
    /// Another connection of the project has this name.
    #[error("This project already has a connection named \"{0}\". Choose another name.")]
    NameTaken(String),
    /// No token.
    #[error("Paste the access token you created in Bitbucket.")]
    TokenMissing,
    /// The token was pasted with its `Bearer`/`Basic` scheme (the word as typed).
    #[error("Paste only the token itself, without the \"{0}\" prefix: we add the right Authorization scheme.")]
    TokenWithScheme(String),
    /// The token has spaces or line breaks.
    #[error(
        "The token contains spaces or line breaks. Copy it again from Bitbucket, as one piece."
    )]
    TokenWhitespace,
    /// The token holds a character other than visible ASCII (an invisible one such as a zero-width space
    /// or a byte order mark, or a non-ASCII letter), which no Bitbucket token has and browsers cannot send
    /// in a header.
    #[error(
        "The token contains an invisible or non-ASCII character, often picked up when copying from a document \
         or a chat. Copy it again straight from Bitbucket: a token holds only ASCII letters, digits and symbols."
    )]
    TokenNotVisibleAscii,
    /// A stored field holds the token.
    #[error("This field contains your access token. Remove it: the token belongs only in Access Token, and this field is saved in the browser's storage.")]
    TokenInStoredField,
    /// The repository URL cannot be used.
    #[error(transparent)]
    RepositoryUrl(#[from] RepositoryUrlError),
    /// No username; `email` when a Cloud API token needs the account email.
    #[error("{}", if *email { "Enter the email of your Atlassian account: Bitbucket Cloud API tokens sign in with it." } else { "Enter your Bitbucket username." })]
    UsernameMissing {
        /// Whether an email is expected.
        email: bool,
    },
    /// A username with whitespace.
    #[error("A username has no spaces. Copy it from your Bitbucket account settings.")]
    UsernameWhitespace,
    /// A Basic username with a colon, which would break the `user:token` pair.
    #[error("A username cannot contain \":\". Check what you pasted.")]
    UsernameColon,
    /// A Cloud API token with a username that is not an email.
    #[error("Bitbucket Cloud API tokens sign in with your Atlassian account email, not the username \"{0}\". Enter the email (e.g. name@company.com), or tick Personal access token (PAT) if this is a repository or workspace access token.")]
    UsernameNotEmail(String),
    /// An API base URL longer than [`MAX_URL_CHARS`].
    #[error("This address is {length} characters long; an API base URL has at most {max}. Enter only the base address, such as https://bitbucket.example.com/rest.", max = MAX_URL_CHARS)]
    ApiBaseUrlTooLong {
        /// Its length, in characters.
        length: usize,
    },
    /// Not a URL.
    #[error("Enter a full URL such as https://bitbucket.example.com/rest, or leave it empty.")]
    ApiBaseUrlInvalid,
    /// Plain HTTP to a host that is not local.
    #[error("Use https://: plain http:// would send your token unencrypted (allowed only on localhost).")]
    ApiBaseUrlInsecure,
    /// Another scheme than HTTPS.
    #[error("The API base URL must start with https://.")]
    ApiBaseUrlScheme,
    /// User information in the API base URL.
    #[error("Remove the user name or password from this URL: never put secrets in a URL.")]
    ApiBaseUrlCredentials,
    /// A query or fragment in the API base URL.
    #[error("Remove the ?query or #fragment: give only the base address of the API.")]
    ApiBaseUrlQuery,
}

/// A connection that passed validation: everything needed to talk to Bitbucket. Its `Debug` never
/// shows the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidConnection {
    /// Trimmed connection name.
    pub name: String,
    /// Where the repository is.
    pub location: RepositoryLocation,
    /// Bearer or Basic.
    pub auth: AuthMode,
    /// Trimmed user name or email.
    pub username: String,
    /// The token, exactly as it will be sent.
    pub token: Secret,
    /// The API base URL to call: the override when given, else the one derived from the URL.
    pub api_base_url: String,
}

/// The outcome of checking the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    /// At most one error per field.
    pub errors: BTreeMap<Field, FieldError>,
    /// Warnings that do not block saving (e.g. credentials removed from the URL).
    pub warnings: BTreeMap<Field, String>,
    /// The parsed repository location, when the URL is valid (for the preview).
    pub location: Option<RepositoryLocation>,
}

impl ValidationReport {
    /// Whether the form may be submitted.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

impl ConnectionForm {
    /// The token as a [`Secret`], as it is handed on.
    pub fn secret_token(&self) -> Secret {
        Secret::new(self.token.clone())
    }

    /// Checks one field, as when the user leaves it. `taken_names` are the other connections' names in
    /// the same project.
    pub fn check_field(&self, field: Field, taken_names: &[String]) -> Result<(), FieldError> {
        let parsed = parse_repository_url(&self.repository_url);
        self.check_parsed(field, taken_names, &parsed)
    }

    /// Checks one field against an already parsed repository URL (parsed once per validation).
    fn check_parsed(
        &self,
        field: Field,
        taken_names: &[String],
        parsed: &Result<RepositoryLocation, RepositoryUrlError>,
    ) -> Result<(), FieldError> {
        // First, so that no other message can quote a field holding the token.
        self.check_token_echo(field)?;
        let flavour = parsed.as_ref().ok().map(|location| location.flavour);
        match field {
            Field::Name => check_name(&self.name, taken_names),
            Field::Token => check_token(&self.token),
            Field::RepositoryUrl => parsed.as_ref().map(|_| ()).map_err(|e| e.clone().into()),
            Field::Username => {
                check_username(&self.username, AuthMode::from_pat(self.pat), flavour)
            }
            Field::ApiBaseUrl => check_api_base_url(&self.api_base_url),
        }
    }

    /// Refuses a stored field that holds the token (pasted into the wrong field, or twice): every field
    /// but the token is saved in persistent storage. User information in the repository URL does not
    /// count: it is removed before the URL is stored.
    fn check_token_echo(&self, field: Field) -> Result<(), FieldError> {
        let token = self.token.trim();
        if field == Field::Token || token.chars().count() < TOKEN_ECHO_MIN_CHARS {
            return Ok(());
        }
        let stored = match field {
            Field::Name => self.name.clone(),
            Field::RepositoryUrl => crate::repo_url::without_credentials(&self.repository_url),
            Field::Username => self.username.clone(),
            Field::ApiBaseUrl => self.api_base_url.clone(),
            Field::Token => String::new(),
        };
        if stored.contains(token) {
            Err(FieldError::TokenInStoredField)
        } else {
            Ok(())
        }
    }

    /// Checks every field, as on **Create**. The repository URL is parsed once.
    pub fn validate(&self, taken_names: &[String]) -> ValidationReport {
        let mut report = ValidationReport::default();
        let parsed = parse_repository_url(&self.repository_url);
        for field in Field::ALL {
            if let Err(error) = self.check_parsed(field, taken_names, &parsed) {
                report.errors.insert(field, error);
            }
        }
        report.location = parsed.ok();
        if let Some(location) = &report.location {
            if location.had_credentials {
                report
                    .warnings
                    .insert(Field::RepositoryUrl, CREDENTIALS_REMOVED.into());
            } else if location.from_ssh && location.flavour == Flavour::DataCenter {
                report.warnings.insert(
                    Field::RepositoryUrl,
                    format!(
                        "This is an SSH URL, so the API address {} is a guess. If it is wrong, paste the \
                         HTTPS clone URL or set the API base URL under Advanced.",
                        location.api_base_url
                    ),
                );
            }
            if !report.errors.contains_key(&Field::ApiBaseUrl) {
                if let Some(message) = foreign_api_host(&self.api_base_url, location) {
                    report.warnings.insert(Field::ApiBaseUrl, message);
                }
            }
        }
        let flavour = report.location.as_ref().map(|location| location.flavour);
        if let Some(message) = token_kind_hint(&self.token, self.pat, flavour) {
            report.warnings.entry(Field::Token).or_insert(message);
        }
        report
    }

    /// Validates and, when every field is fine, builds the connection; otherwise returns the report.
    pub fn to_connection(
        &self,
        taken_names: &[String],
    ) -> Result<ValidConnection, Box<ValidationReport>> {
        let report = self.validate(taken_names);
        match (&report.location, report.is_valid()) {
            (Some(location), true) => {
                let override_url = self.api_base_url.trim().trim_end_matches('/');
                Ok(ValidConnection {
                    name: self.name.trim().to_owned(),
                    location: location.clone(),
                    auth: AuthMode::from_pat(self.pat),
                    username: self.username.trim().to_owned(),
                    token: self.secret_token(),
                    api_base_url: if override_url.is_empty() {
                        location.api_base_url.clone()
                    } else {
                        override_url.to_owned()
                    },
                })
            }
            _ => Err(Box::new(report)),
        }
    }
}

/// The warning shown when the repository URL carried a user name or password.
pub const CREDENTIALS_REMOVED: &str = "The user name and password in this URL were removed: they are not \
     stored, and only the URL without them is saved. Never paste secrets into a URL: put the token in \
     Access Token.";

/// A warning when the API base URL sends the token to another host than the repository's (or its API's).
fn foreign_api_host(api_base_url: &str, location: &RepositoryLocation) -> Option<String> {
    let text = api_base_url.trim();
    if text.is_empty() {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let derived_api_host = url::Url::parse(&location.api_base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    if host == location.host || Some(&host) == derived_api_host.as_ref() {
        return None;
    }
    Some(format!(
        "Your token will be sent to {host}, which is not the repository's host {}. Use this only for a \
         proxy or relay you trust: whoever runs {host} can read the token.",
        location.host
    ))
}

fn check_name(name: &str, taken_names: &[String]) -> Result<(), FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::NameMissing);
    }
    let length = name.chars().count();
    if length > NAME_MAX_CHARS {
        return Err(FieldError::NameTooLong { length });
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(FieldError::NameCharacter(bad));
    }
    if taken_names
        .iter()
        .any(|taken| taken.trim().eq_ignore_ascii_case(name))
    {
        return Err(FieldError::NameTaken(name.to_owned()));
    }
    Ok(())
}

fn check_token(token: &str) -> Result<(), FieldError> {
    if token.trim().is_empty() {
        return Err(FieldError::TokenMissing);
    }
    let lower = token.trim_start().to_ascii_lowercase();
    for scheme in ["bearer ", "basic "] {
        if lower.starts_with(scheme) {
            let shown = &token.trim_start()[..scheme.len() - 1];
            return Err(FieldError::TokenWithScheme(shown.to_owned()));
        }
    }
    if token.chars().any(char::is_whitespace) {
        return Err(FieldError::TokenWhitespace);
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(FieldError::TokenNotVisibleAscii);
    }
    Ok(())
}

fn check_username(
    username: &str,
    auth: AuthMode,
    flavour: Option<Flavour>,
) -> Result<(), FieldError> {
    let username = username.trim();
    let cloud_api_token = auth == AuthMode::Basic && flavour == Some(Flavour::Cloud);
    if username.is_empty() {
        return Err(FieldError::UsernameMissing {
            email: cloud_api_token,
        });
    }
    if username.chars().any(char::is_whitespace) {
        return Err(FieldError::UsernameWhitespace);
    }
    if auth == AuthMode::Basic && username.contains(':') {
        return Err(FieldError::UsernameColon);
    }
    if cloud_api_token && !is_email(username) {
        return Err(FieldError::UsernameNotEmail(username.to_owned()));
    }
    Ok(())
}

/// The one rule for "this looks like an email address", used by the form and by the client's error
/// messages: one `@`, a non-empty local part, a domain with a dot and no empty label, no whitespace.
///
/// ```
/// use versioning_core::connection::is_email;
///
/// assert!(is_email("ada@example.com"));
/// assert!(!is_email("a@b.c@d"));
/// assert!(!is_email("ada"));
/// ```
pub fn is_email(text: &str) -> bool {
    let text = text.trim();
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && domain.split('.').all(|label| !label.is_empty())
        }
        None => false,
    }
}

fn check_api_base_url(text: &str) -> Result<(), FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    if text.len() > MAX_URL_CHARS {
        return Err(FieldError::ApiBaseUrlTooLong {
            length: text.chars().count(),
        });
    }
    let url = url::Url::parse(text).map_err(|_| FieldError::ApiBaseUrlInvalid)?;
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(FieldError::ApiBaseUrlInsecure),
        _ => return Err(FieldError::ApiBaseUrlScheme),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FieldError::ApiBaseUrlCredentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(FieldError::ApiBaseUrlQuery);
    }
    Ok(())
}

/// Bitbucket Cloud token prefixes tell API tokens (`ATATT`) from access tokens (`ATCTT`); a mismatch
/// with the PAT box is the most common reason for a 401.
fn token_kind_hint(token: &str, pat: bool, flavour: Option<Flavour>) -> Option<String> {
    if flavour != Some(Flavour::Cloud) {
        return None;
    }
    let token = token.trim();
    if token.starts_with("ATCTT") && !pat {
        Some(
            "This looks like a repository or workspace access token: tick Personal access token (PAT) \
             so that it is sent as a Bearer token."
                .into(),
        )
    } else if token.starts_with("ATATT") && pat {
        Some(
            "This looks like an Atlassian API token: untick Personal access token (PAT) and enter your \
             account email as Username."
                .into(),
        )
    } else {
        None
    }
}
