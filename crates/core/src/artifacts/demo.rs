//! Demo projects with realistic content, for the app's standalone mode and for examples. Their ids are
//! derived from each project's fixed machine id, so they are the same in every build.

use super::csv;
use super::id::{ArtifactId, ArtifactKind};
use super::model::{
    DataTable, Element, ElementRepository, ExecutionEntry, ExecutionList, Locator, LocatorStrategy,
    Project, ReviewState, RunSettings, Scenario, TestCase, TestSuite,
};
use super::rng::fnv1a;
use super::step::Step;

/// The content of one demo project, written compactly:
/// - `suites`: `# Suite | description`, `## Scenario`, `### Test case`, then steps
///   `Keyword | element | input | expected`;
/// - `elements`: `Name | strategy | value` lines (one locator each);
/// - `table`: CSV with the column names first.
struct DemoSpec {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    screen: &'static str,
    elements: &'static str,
    table_name: &'static str,
    table: &'static str,
    settings: (&'static str, &'static str),
    suites: &'static str,
}

const CHECKOUT_WEB: DemoSpec = DemoSpec {
    id: "checkout-web",
    name: "Checkout Web",
    description: "Web shop regression: cart, checkout and payments of shop.example.com.",
    screen: "Shop pages",
    elements: "
SearchBox | id | search
SearchButton | css | button[type=submit].search
ProductTitle | css | h1.product-title
ProductPrice | css | .product-price
AddToCartButton | css | button[data-test=add-to-cart]
OutOfStockLabel | css | .stock-status.out
CartBadge | css | .header .cart-count
CartLink | link_text | Cart
CartRow | xpath | //table[@id='cart']//tr[td]
QuantityInput | name | quantity
RemoveButton | css | button.remove-item
EmptyCartMessage | css | .cart-empty
PromoCodeField | id | promo-code
ApplyPromoButton | css | button[data-test=apply-promo]
PromoMessage | css | .promo-message
CartTotal | css | .cart-total .amount
CheckoutButton | css | a[data-test=checkout]
GuestCheckoutButton | css | button[data-test=guest]
EmailField | id | email
NameField | id | full-name
StreetField | id | street
PostcodeField | id | postcode
CityField | id | city
CountrySelect | id | country
ContinueButton | css | button[data-test=continue]
FieldError | css | .field-error
SignInLink | link_text | Sign in
PasswordField | id | password
SignInButton | css | button[data-test=sign-in]
SavedAddress | css | .saved-address:first-child
NewAddressLink | link_text | Add a new address
CardNumberField | id | card-number
ExpiryField | id | card-expiry
CvcField | id | card-cvc
PayButton | css | button[data-test=pay]
PaymentError | css | .payment-error
ThreeDsFrame | css | iframe[name=three-ds]
ThreeDsCodeField | id | otp
ThreeDsSubmit | css | button[type=submit]
OrderConfirmation | css | .order-confirmation h2
OrderNumber | css | .order-number
PayPalButton | css | .paypal-button
ApplePayButton | css | .apple-pay-button
GiftCardField | id | gift-card
",
    table_name: "Payment cards",
    table: "card_number,expiry,cvc,holder,expected_result
4111 1111 1111 1111,12/30,123,Ada Lovelace,Payment accepted
4000 0000 0000 0002,12/30,123,Alan Turing,Card declined
4000 0027 6000 3184,12/30,123,Grace Hopper,3-D Secure challenge
5555 5555 5555 4444,01/29,737,\"Hopper, Grace\",Payment accepted
4000 0000 0000 0069,01/20,123,Edsger Dijkstra,Card expired
",
    settings: ("chrome", "staging"),
    suites: "
# Cart | Adding, changing and removing items in the shopping cart.
## Add items
### Add one item from the product page
Navigate | | https://shop.example.com/products/espresso-machine |
Verify | ProductTitle | | Espresso Machine
Click | AddToCartButton | |
Verify | CartBadge | | 1
### Add an item from search results
Navigate | | https://shop.example.com |
Type | SearchBox | grinder |
Click | SearchButton | |
Click | AddToCartButton | |
Verify | CartBadge | | 1
### Adding the same item twice increases the quantity
Navigate | | https://shop.example.com/products/milk-jug |
Click | AddToCartButton | |
Click | AddToCartButton | |
Click | CartLink | |
Verify | QuantityInput | | 2
### An out-of-stock item cannot be added
Navigate | | https://shop.example.com/products/limited-edition-kettle |
Verify | OutOfStockLabel | | Out of stock
Verify | AddToCartButton | | disabled
## Edit the cart
### Change the quantity
Navigate | | https://shop.example.com/cart |
Type | QuantityInput | 3 |
Verify | CartTotal | | 3 × unit price
### Removing the last item shows the empty cart
Navigate | | https://shop.example.com/cart |
Click | RemoveButton | |
Verify | EmptyCartMessage | | Your cart is empty
Verify | CartBadge | | 0
### Cart survives a page reload
Navigate | | https://shop.example.com/products/espresso-machine |
Click | AddToCartButton | |
Navigate | | https://shop.example.com/cart |
Verify | CartRow | | Espresso Machine
## Promotions
### Apply a valid promo code
Navigate | | https://shop.example.com/cart |
Type | PromoCodeField | SPRING10 |
Click | ApplyPromoButton | |
Verify | PromoMessage | | 10% discount applied
### Reject an expired promo code
Type | PromoCodeField | WINTER2019 |
Click | ApplyPromoButton | |
Verify | PromoMessage | | This code has expired
### Promo codes are not case-sensitive
Type | PromoCodeField | spring10 |
Click | ApplyPromoButton | |
Verify | PromoMessage | | 10% discount applied
# Checkout | Guest and registered checkout up to the payment page.
## Guest checkout
### Guest checkout with a valid address
Click | CheckoutButton | |
Click | GuestCheckoutButton | |
Type | EmailField | ada@example.com |
Type | NameField | Ada Lovelace |
Type | StreetField | 12 St James's Square |
Type | PostcodeField | SW1Y 4JH |
Type | CityField | London |
Select | CountrySelect | United Kingdom |
Click | ContinueButton | |
Verify | CardNumberField | | visible
### Guest checkout requires an email address
Click | CheckoutButton | |
Click | GuestCheckoutButton | |
Click | ContinueButton | |
Verify | FieldError | | Enter your email address
### An invalid postcode is rejected
Click | GuestCheckoutButton | |
Type | PostcodeField | 123 |
Click | ContinueButton | |
Verify | FieldError | | Enter a valid postcode
### Names with accents are kept
Click | GuestCheckoutButton | |
Type | NameField | Zoë Ångström-Müller |
Click | ContinueButton | |
Verify | NameField | | Zoë Ångström-Müller
## Registered checkout
### Sign in during checkout
Click | CheckoutButton | |
Click | SignInLink | |
Type | EmailField | grace@example.com |
Type | PasswordField | correct horse battery staple |
Click | SignInButton | |
Verify | SavedAddress | | visible
### Use a saved address
Click | SavedAddress | |
Click | ContinueButton | |
Verify | CardNumberField | | visible
### Add a new address
Click | NewAddressLink | |
Type | StreetField | 1 Infinite Loop |
Type | PostcodeField | 95014 |
Select | CountrySelect | United States |
Click | ContinueButton | |
Verify | CardNumberField | | visible
### Wrong password shows an error
Click | SignInLink | |
Type | EmailField | grace@example.com |
Type | PasswordField | wrong |
Click | SignInButton | |
Verify | FieldError | | Email or password is incorrect
# Payments | Card, wallet and gift card payments, driven by the Payment cards table.
## Card payments
### Pay by card
Type | CardNumberField | {card_number} |
Type | ExpiryField | {expiry} |
Type | CvcField | {cvc} |
Click | PayButton | |
Verify | OrderConfirmation | | {expected_result}
### A declined card shows a message
Type | CardNumberField | 4000 0000 0000 0002 |
Click | PayButton | |
Verify | PaymentError | | Your card was declined
### 3-D Secure challenge passes
Type | CardNumberField | 4000 0027 6000 3184 |
Click | PayButton | |
Wait | ThreeDsFrame | 5s |
Type | ThreeDsCodeField | 123456 |
Click | ThreeDsSubmit | |
Verify | OrderConfirmation | | Thank you for your order
### An expired card is refused before submitting
Type | ExpiryField | 01/20 |
Click | PayButton | |
Verify | FieldError | | The card has expired
## Wallets
### Pay with PayPal
Click | PayPalButton | |
Wait | | 3s |
Verify | OrderConfirmation | | Thank you for your order
### Apple Pay is hidden on unsupported browsers
Verify | ApplePayButton | | hidden
## Gift cards
### Pay with a gift card that covers the total
Type | GiftCardField | GIFT-5000-ABCD |
Click | PayButton | |
Verify | OrderNumber | | visible
### A gift card with too little balance asks for a card
Type | GiftCardField | GIFT-0001-ZZZZ |
Click | PayButton | |
Verify | PaymentError | | Pay the remaining amount by card
",
};

const MOBILE_BANKING: DemoSpec = DemoSpec {
    id: "mobile-banking",
    name: "Mobile Banking",
    description: "Android and iOS app: sign-in, transfers and card controls.",
    screen: "Banking app",
    elements: "
PinPad | accessibility_id | pin-pad
PinDigit1 | accessibility_id | pin-1
BiometricPrompt | accessibility_id | biometric-prompt
UseBiometricsToggle | accessibility_id | settings-biometrics
AccountsList | accessibility_id | accounts-list
BalanceLabel | accessibility_id | balance
TransferTab | text | Transfer
PayeeField | accessibility_id | payee
AmountField | accessibility_id | amount
ReferenceField | accessibility_id | reference
ConfirmButton | accessibility_id | confirm
TransferReceipt | accessibility_id | receipt
ErrorBanner | accessibility_id | error-banner
CardsTab | text | Cards
FreezeCardToggle | accessibility_id | freeze-card
CardStatus | accessibility_id | card-status
SpendingLimitSlider | accessibility_id | spending-limit
",
    table_name: "Transfers",
    table: "payee,amount,reference,expected
Jane Doe,25.00,Lunch,Transfer sent
Jane Doe,0.00,,Enter an amount
Landlord Ltd,950.00,\"Rent, May\",Transfer sent
Unknown Payee,10.00,Test,Payee not found
",
    settings: ("android", "uat"),
    suites: "
# Sign-in | PIN and biometric sign-in.
## PIN
### Sign in with the correct PIN
Type | PinPad | 2468 |
Verify | AccountsList | | visible
### Three wrong PINs lock the app
Type | PinPad | 0000 |
Type | PinPad | 0000 |
Type | PinPad | 0000 |
Verify | ErrorBanner | | The app is locked for 30 minutes
## Biometrics
### Enable biometric sign-in
Click | UseBiometricsToggle | |
Verify | BiometricPrompt | | visible
### Fall back to the PIN when biometrics fail
Verify | BiometricPrompt | | visible
Click | PinDigit1 | |
Verify | PinPad | | visible
# Transfers | Payments to saved payees, driven by the Transfers table.
## Send money
### Transfer to a saved payee
Click | TransferTab | |
Type | PayeeField | {payee} |
Type | AmountField | {amount} |
Type | ReferenceField | {reference} |
Click | ConfirmButton | |
Verify | TransferReceipt | | {expected}
### A transfer above the balance is refused
Click | TransferTab | |
Type | AmountField | 1000000 |
Click | ConfirmButton | |
Verify | ErrorBanner | | Not enough money in this account
### The balance updates after a transfer
Verify | BalanceLabel | | previous balance minus the amount
# Cards | Card controls.
## Card controls
### Freeze and unfreeze a card
Click | CardsTab | |
Click | FreezeCardToggle | |
Verify | CardStatus | | Frozen
Click | FreezeCardToggle | |
Verify | CardStatus | | Active
### Lower the spending limit
Click | CardsTab | |
Type | SpendingLimitSlider | 200 |
Verify | SpendingLimitSlider | | 200
",
};

const PARTNER_API: DemoSpec = DemoSpec {
    id: "partner-api",
    name: "Partner API",
    description: "REST API for partners: tokens, orders and webhooks.",
    screen: "API endpoints",
    elements: "
TokenEndpoint | text | POST /oauth/token
OrdersEndpoint | text | /v2/orders
OrderEndpoint | text | /v2/orders/{id}
WebhooksEndpoint | text | /v2/webhooks
StatusCode | text | $.status
ErrorCode | text | $.body.error.code
OrderId | text | $.body.id
",
    table_name: "Order payloads",
    table: "sku,quantity,currency,expected_status
ESP-001,1,EUR,201
ESP-001,0,EUR,422
MILK-JUG,3,USD,201
,1,EUR,422
",
    settings: ("none", "sandbox"),
    suites: "
# Authentication | OAuth client-credentials tokens.
## Tokens
### Get a token with valid credentials
Send Request | TokenEndpoint | client_id=demo&client_secret=secret |
Verify | StatusCode | | 200
### Wrong secret is refused
Send Request | TokenEndpoint | client_id=demo&client_secret=wrong |
Verify | StatusCode | | 401
Verify | ErrorCode | | invalid_client
# Orders API | Creating and reading orders, driven by the Order payloads table.
## Create orders
### Create an order
Send Request | OrdersEndpoint | {\"sku\": \"{sku}\", \"quantity\": {quantity}, \"currency\": \"{currency}\"} |
Verify | StatusCode | | {expected_status}
### Read back a created order
Send Request | OrderEndpoint | GET |
Verify | OrderId | | the id from the create response
## Paging
### List orders page by page
Send Request | OrdersEndpoint | GET ?limit=50 |
Verify | StatusCode | | 200
Verify | | $.next | present when more than 50 orders exist
# Webhooks | Order events pushed to partners.
## Subscriptions
### Subscribe to order events
Send Request | WebhooksEndpoint | {\"url\": \"https://partner.example.com/hooks\", \"events\": [\"order.created\"]} |
Verify | StatusCode | | 201
### Reject a plain-HTTP callback URL
Send Request | WebhooksEndpoint | {\"url\": \"http://partner.example.com/hooks\"} |
Verify | StatusCode | | 422
Verify | ErrorCode | | insecure_url
",
};

const REVIEW_CYCLE: [ReviewState; 7] = [
    ReviewState::Approved,
    ReviewState::Approved,
    ReviewState::InProgress,
    ReviewState::Approved,
    ReviewState::UnderReview,
    ReviewState::New,
    ReviewState::Rejected,
];

/// The three demo projects: "Checkout Web", "Mobile Banking" and "Partner API".
///
/// ```
/// use versioning_core::artifacts::demo::demo_projects;
/// let projects = demo_projects();
/// assert_eq!(projects[0].id.as_str(), "checkout-web");
/// assert!(projects[0].test_cases().count() >= 24);
/// ```
pub fn demo_projects() -> Vec<Project> {
    [CHECKOUT_WEB, MOBILE_BANKING, PARTNER_API]
        .iter()
        .map(build)
        .collect()
}

/// Builds one demo project; ids come from the project's machine id and a counter.
struct Builder {
    seed: u64,
    counter: u64,
}

impl Builder {
    fn id(&mut self, kind: ArtifactKind) -> ArtifactId {
        self.counter += 1;
        ArtifactId::derive(kind, self.seed, self.counter)
    }

    fn review_state(&self) -> ReviewState {
        REVIEW_CYCLE[self.counter as usize % REVIEW_CYCLE.len()]
    }
}

/// The `|`-separated fields of a line, trimmed; missing fields are empty.
fn fields<const N: usize>(line: &str) -> [String; N] {
    let mut parts = line.split('|').map(str::trim);
    std::array::from_fn(|_| parts.next().unwrap_or_default().to_owned())
}

fn strategy(name: &str) -> LocatorStrategy {
    match name {
        "id" => LocatorStrategy::Id,
        "name" => LocatorStrategy::Name,
        "xpath" => LocatorStrategy::Xpath,
        "link_text" => LocatorStrategy::LinkText,
        "accessibility_id" => LocatorStrategy::AccessibilityId,
        "text" => LocatorStrategy::Text,
        _ => LocatorStrategy::Css,
    }
}

fn build(spec: &DemoSpec) -> Project {
    let mut ids = Builder {
        seed: fnv1a(&[spec.id.as_bytes()]),
        counter: 0,
    };
    let project_id = ArtifactId::new(spec.id).unwrap_or_else(|_| ids.id(ArtifactKind::Project));
    let mut project = Project::new(project_id, spec.name);
    project.description = spec.description.to_owned();
    for line in spec
        .suites
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        if let Some(rest) = line.strip_prefix("### ") {
            let mut case = TestCase::new(ids.id(ArtifactKind::TestCase), rest);
            case.review_state = ids.review_state();
            if let Some(scenario) = last_scenario(&mut project) {
                scenario.test_cases.push(case.into());
            }
        } else if let Some(rest) = line.strip_prefix("## ") {
            let mut scenario = Scenario::new(ids.id(ArtifactKind::Scenario), rest);
            scenario.review_state = ids.review_state();
            if let Some(suite) = project.suites.last_mut() {
                suite.scenarios.push(scenario);
            }
        } else if let Some(rest) = line.strip_prefix("# ") {
            let [name, description] = fields(rest);
            let mut suite = TestSuite::new(ids.id(ArtifactKind::Suite), name);
            suite.description = description;
            suite.review_state = ReviewState::Approved;
            project.suites.push(suite);
        } else {
            let [keyword, element, input, expected] = fields(line);
            let step = Step::new(&keyword, &element, &input, &expected, "");
            if let Some(case) = last_case(&mut project) {
                case.steps.push(step);
            }
        }
    }
    let mut repository =
        ElementRepository::new(ids.id(ArtifactKind::ElementRepository), spec.screen);
    repository.review_state = ReviewState::Approved;
    repository.elements = spec
        .elements
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(element)
        .collect();
    project.element_repositories.push(repository.into());
    let mut table = DataTable::new(ids.id(ArtifactKind::DataTable), spec.table_name);
    table.review_state = ReviewState::Approved;
    (table.columns, table.rows) = csv::decode(spec.table.as_bytes()).unwrap_or_default();
    let mut list = ExecutionList::new(ids.id(ArtifactKind::ExecutionList), "Nightly regression");
    let (browser, environment) = spec.settings;
    list.settings = RunSettings {
        browser: browser.to_owned(),
        environment: environment.to_owned(),
        retries: 1,
        parallel: 4,
    };
    list.entries = project
        .suites
        .iter()
        .map(|suite| entry(suite, &table))
        .collect();
    project.data_tables.push(table.into());
    project.execution_lists.push(list.into());
    project
}

fn element(line: &str) -> Element {
    let [name, kind, value] = fields(line);
    Element {
        name,
        locators: vec![Locator {
            strategy: strategy(&kind),
            value,
        }],
    }
}

/// An execution entry; suites whose description names the table are driven by it.
fn entry(suite: &TestSuite, table: &DataTable) -> ExecutionEntry {
    let data_table = suite
        .description
        .contains(&table.name)
        .then(|| table.id.clone());
    ExecutionEntry {
        suite: suite.id.clone(),
        data_table,
    }
}

fn last_scenario(project: &mut Project) -> Option<&mut Scenario> {
    project.suites.last_mut()?.scenarios.last_mut()
}

fn last_case(project: &mut Project) -> Option<&mut TestCase> {
    last_scenario(project)?
        .test_cases
        .last_mut()
        .map(|case| &mut **case)
}
