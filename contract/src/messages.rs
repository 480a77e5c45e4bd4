//! Messages of failed transactions in Kazakh, Russian and English, rendered
//! from a receipt's code and arguments (SPEC §8, §11; Law on Informatization
//! art. 44 p.2).
//!
//! A failed receipt carries a stable code and structured arguments only
//! (`TxOutcome::Failed { code, args }`): the receipt is hashed into the
//! block's `receipts_root`, so its bytes must not depend on wording. People
//! read a message rendered here, at the edges: the node's API (in the
//! request's language), the CLI and the console. The catalogue is one for
//! every edge, so a message reads the same wherever it is shown.
//!
//! A template names the code's arguments as `{name}` placeholders; a
//! segment in square brackets `[...]` is kept only when every placeholder
//! in it has a value (an optional argument). A value that is a stable name
//! (a status, a role, a reason code) is shown in the message's language
//! where the catalogue knows it ([`value_name`]), as itself otherwise. An
//! unknown code (a newer node's) renders as the code and its arguments.

use tamga_types::TxOutcome;

/// A language messages are rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English: the default.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Kazakh (Cyrillic alphabet).
    Kk,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Kk];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
        }
    }

    /// The language of a BCP 47 tag or locale by its primary subtag
    /// (`kk-KZ`, `ru_RU.UTF-8` → kk, ru).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_', '.']).next().unwrap_or("");
        Lang::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    fn catalogue(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => EN,
            Lang::Ru => RU,
            Lang::Kk => KK,
        }
    }

    fn values(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => EN_VALUES,
            Lang::Ru => RU_VALUES,
            Lang::Kk => KK_VALUES,
        }
    }
}

/// The message template of `code` in `lang`, if the catalogue has one.
pub fn template(code: &str, lang: Lang) -> Option<&'static str> {
    lang.catalogue().iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// Every code the catalogue of `lang` has a template for.
pub fn codes(lang: Lang) -> impl Iterator<Item = &'static str> {
    lang.catalogue().iter().map(|(c, _)| *c)
}

/// A stable value name (`payer`, `suspended`, `start_has_previous`) in
/// `lang`, if the catalogue words it; English words the names too.
pub fn value_name(value: &str, lang: Lang) -> Option<&'static str> {
    lang.values().iter().find(|(v, _)| *v == value).map(|(_, t)| *t)
}

/// The placeholders of a template: `(name, optional)`, optional when inside
/// a `[...]` segment.
pub fn placeholders(template: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut optional = false;
    let mut rest = template;
    while let Some(i) = rest.find(['{', '[', ']']) {
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        match c {
            b'[' => optional = true,
            b']' => optional = false,
            _ => {
                if let Some(end) = rest.find('}') {
                    out.push((&rest[..end], optional));
                    rest = &rest[end + 1..];
                }
            }
        }
    }
    out
}

/// Renders `code` with its arguments in `lang`: the template with every
/// placeholder filled (a stable value name in the language where known),
/// optional segments whose arguments are absent left out. An unknown code
/// renders as `CODE (name=value, ...)`.
pub fn render(code: &str, args: &[(String, String)], lang: Lang) -> String {
    let Some(t) = template(code, lang).or_else(|| template(code, Lang::En)) else {
        let shown: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return if shown.is_empty() { code.to_owned() } else { format!("{code} ({})", shown.join(", ")) };
    };
    let value = |name: &str| -> Option<String> {
        let v = args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())?;
        // A comma list of stable names (a regulator's scopes) is worded item by item.
        let worded: Vec<&str> = v.split(',').map(|item| value_name(item, lang).unwrap_or(item)).collect();
        Some(if v.is_empty() { value_name("", lang).unwrap_or("").to_owned() } else { worded.join(", ") })
    };
    let mut out = String::new();
    let mut segment: Option<(String, bool)> = None; // (text, complete)
    let mut rest = t;
    while let Some(i) = rest.find(['{', '[', ']']) {
        let lit = &rest[..i];
        match &mut segment {
            Some((s, _)) => s.push_str(lit),
            None => out.push_str(lit),
        }
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        match c {
            b'[' => segment = Some((String::new(), true)),
            b']' => {
                if let Some((s, true)) = segment.take() {
                    out.push_str(&s);
                }
            }
            _ => {
                let end = rest.find('}').unwrap_or(rest.len());
                let name = &rest[..end];
                rest = rest.get(end + 1..).unwrap_or("");
                let filled = value(name);
                match (&mut segment, filled) {
                    (Some((s, _)), Some(v)) => s.push_str(&v),
                    (Some((_, complete)), None) => *complete = false,
                    (None, Some(v)) => out.push_str(&v),
                    (None, None) => out.push_str(&format!("{{{name}}}")),
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message of a failed outcome in `lang`; `None` on success.
pub fn render_outcome(outcome: &TxOutcome, lang: Lang) -> Option<String> {
    match outcome {
        TxOutcome::Success => None,
        TxOutcome::Failed { code, args } => Some(render(code, args, lang)),
    }
}

/// English templates: each names the field or thing at fault, what was
/// expected and what was found, as the code's arguments give them.
const EN: &[(&str, &str)] = &[
    ("UNKNOWN_SIGNER", "signer {key} is not a registered account"),
    ("NONCE_MISMATCH", "field nonce of {key}: expected {expected}, got {got}"),
    ("ACCOUNT_REVOKED", "account {key} was revoked at height {height}"),
    ("PARTY_INACTIVE", "party {party} is not active (status {status})"),
    ("VALIDATOR_KEY_CANNOT_SIGN", "key {key} is a validator key and cannot sign transactions or hold an account"),
    ("NOT_REGULATOR", "operation {op} requires a regulator; party {party} is not one"),
    ("SCOPE_MISSING", "regulator party {party} lacks the {required} scope (has: {has})"),
    ("NOT_ISSUER", "operation {op} requires the Issuer role; party {party} has none"),
    ("UNAUTHORIZED", "party {party} is not authorised to {op}: expected the {expected}[ (party {owner})]"),
    ("EMPTY_FIELD", "field {field} must not be empty"),
    ("INVALID_FIELD", "field {field}: expected {expected}, got {got}"),
    ("WEAK_KEY", "key {key} is weak or malformed and cannot be registered"),
    ("KEY_ALREADY_REGISTERED", "key {key} is already registered"),
    ("DUPLICATE_IDENTIFIER", "identifier commitment {commitment} already belongs to party {party}"),
    ("DISPLAY_NAME_NOT_ALLOWED", "field display_name: allowed for legal entities only"),
    ("UNKNOWN_PARTY", "party {party} does not exist"),
    ("UNKNOWN_ACCOUNT", "account {key} does not exist"),
    ("ACCOUNT_INACTIVE", "account {key} is not active"),
    ("DIFFERENT_PARTY", "accounts must belong to the same party: {from_party} vs {to_party}"),
    ("UNKNOWN_CLASS", "token class {class} does not exist"),
    ("CLASS_NOT_ACTIVE", "token class {class} is {status}, expected active"),
    ("INVALID_SYMBOL", "field symbol: expected 1-12 upper-case ASCII letters or digits, got \"{symbol}\""),
    ("DUPLICATE_SYMBOL", "symbol {symbol} is already used by class {class}"),
    ("INVALID_DECIMALS", "field decimals: expected at most 18, got {got}"),
    ("NO_RIGHTS", "field rights: expected at least one right, got none (art. 33-1 p.2)"),
    (
        "INADMISSIBLE_RIGHT",
        "right #{index} of kind {kind} is inadmissible: expected goods or services of the issuer (art. 33-1 p.4)",
    ),
    ("ZERO_AMOUNT", "field amount: expected a positive amount, got 0"),
    ("SUPPLY_CAP_EXCEEDED", "supply cap exceeded: cap {cap}, supply {supply}, amount {amount}"),
    ("OVERFLOW", "arithmetic overflow in {what}"),
    ("INSUFFICIENT_BALANCE", "insufficient free balance of class {class}: needed {needed}, available {available}"),
    ("INSUFFICIENT_FROZEN", "cannot unfreeze {amount} of class {class}: only {frozen} frozen"),
    ("UNKNOWN_RIGHT", "right index {index} out of range: class {class} has {count} rights"),
    ("SELF_TRANSFER", "field to: expected another account, got the sender's own"),
    ("UNKNOWN_RECORD", "record {record} does not exist"),
    ("RECORD_TERMINATED", "record {record} is terminated"),
    (
        "RECORD_ENCUMBERED",
        "record {record} is encumbered (encumbrance {encumbrances}); expected no active encumbrance: release it first",
    ),
    ("RECORD_IN_ESCROW", "record {record} is locked in escrow {escrow}"),
    ("NOT_HOLDER", "signer's account {signer} is not the holder {holder} of record {record}"),
    ("UNKNOWN_ENCUMBRANCE", "encumbrance {encumbrance} not found on record {record}"),
    ("UNKNOWN_ESCROW", "escrow {escrow} does not exist"),
    ("ESCROW_STATE", "escrow {escrow} is {status}, expected {expected}"),
    ("DEADLINE_NOT_REACHED", "escrow {escrow} can be refunded only after height {deadline}, now {height}"),
    ("DEADLINE_IN_PAST", "field deadline_height: expected a height after the current height {height}, got {deadline}"),
    ("UNKNOWN_MINING_NOTIFICATION", "mining notification {id} does not exist"),
    ("UNKNOWN_ACTIVITY_NOTIFICATION", "activity notification {id} does not exist"),
    ("NOTIFICATION_STATE", "notification {id} is {status}, expected {expected}"),
    (
        "INVALID_NOTIFICATION_CHAIN",
        "invalid mining notification chain: {reason}[, previous notification {previous}][ of party {miner}][, followed by {next}]",
    ),
    ("INVALID_DATE", "date {date} is not a valid calendar date"),
    ("INVALID_VALIDATOR_SET", "invalid validator set: {reason}[ ({key})]"),
    ("MINING_NOTICE_REQUIRED", "operator party {party} has no accepted mining notification (require_mining_notice)"),
    ("PARAM_OUT_OF_RANGE", "field {param}: expected {min}..={max}, got {got}"),
    (
        "ARBITER_NOT_INDEPENDENT",
        "field arbiter: expected an account of a party other than the payer's ({payer_party}) and the payee's \
         ({payee_party}), got an account of party {arbiter_party}",
    ),
    ("TERMS_HASH_ZERO", "field terms_hash: expected the SHA-256 of the escrow's published terms, got the all-zero hash"),
    (
        "TERMS_NOT_PUBLISHED",
        "field terms_hash: expected the SHA-256 of terms published with publish_terms, got {hash}, which no published terms have",
    ),
    (
        "TERMS_ALREADY_PUBLISHED",
        "field text: expected terms not yet published, got terms {hash} already published by party {by} at height {height}",
    ),
    (
        "RESTRICTION_NOT_NAMED",
        "field restriction: expected the id of the freeze or pause to lift (lift_restriction), got {op} of class {class} naming none",
    ),
    (
        "UNKNOWN_RESTRICTION",
        "field restriction: expected the id of a freeze or pause, got {restriction}, which does not exist",
    ),
    ("RESTRICTION_LIFTED", "field restriction: expected a standing freeze or pause, got {restriction}, lifted at height {height}"),
    (
        "REGULATOR_RESTRICTION",
        "field restriction: {restriction} was imposed by regulator party {imposed_by}; expected a regulator to lift it, got party {party}",
    ),
    ("CLASS_SUPPLY_OUTSTANDING", "field class: expected class {class} with supply 0 to close, got supply {supply}"),
    ("INTERNAL", "internal error of the node"),
];

const RU: &[(&str, &str)] = &[
    ("UNKNOWN_SIGNER", "подписант {key} не является зарегистрированным счётом"),
    ("NONCE_MISMATCH", "поле nonce счёта {key}: ожидалось {expected}, получено {got}"),
    ("ACCOUNT_REVOKED", "счёт {key} отозван на высоте {height}"),
    ("PARTY_INACTIVE", "участник {party} не активен (статус: {status})"),
    ("VALIDATOR_KEY_CANNOT_SIGN", "ключ {key} — ключ валидатора: он не подписывает транзакции и не может быть счётом"),
    ("NOT_REGULATOR", "операция {op} доступна только регулятору; участник {party} не регулятор"),
    ("SCOPE_MISSING", "у регулятора {party} нет полномочия «{required}» (есть: {has})"),
    ("NOT_ISSUER", "операция {op} требует роли эмитента; у участника {party} её нет"),
    ("UNAUTHORIZED", "участник {party} не вправе выполнить {op}: ожидался {expected}[ (участник {owner})]"),
    ("EMPTY_FIELD", "поле {field} не должно быть пустым"),
    ("INVALID_FIELD", "поле {field}: ожидалось {expected}, получено {got}"),
    ("WEAK_KEY", "ключ {key} слабый или некорректный и не может быть зарегистрирован"),
    ("KEY_ALREADY_REGISTERED", "ключ {key} уже зарегистрирован"),
    ("DUPLICATE_IDENTIFIER", "обязательство идентификатора {commitment} уже принадлежит участнику {party}"),
    ("DISPLAY_NAME_NOT_ALLOWED", "поле display_name: допускается только для юридических лиц"),
    ("UNKNOWN_PARTY", "участник {party} не существует"),
    ("UNKNOWN_ACCOUNT", "счёт {key} не существует"),
    ("ACCOUNT_INACTIVE", "счёт {key} не активен"),
    ("DIFFERENT_PARTY", "счета должны принадлежать одному участнику: {from_party} и {to_party}"),
    ("UNKNOWN_CLASS", "класс токенов {class} не существует"),
    ("CLASS_NOT_ACTIVE", "класс токенов {class}: ожидался активный, статус — {status}"),
    ("INVALID_SYMBOL", "поле symbol: ожидалось 1–12 заглавных латинских букв или цифр, получено «{symbol}»"),
    ("DUPLICATE_SYMBOL", "символ {symbol} уже занят классом {class}"),
    ("INVALID_DECIMALS", "поле decimals: ожидалось не более 18, получено {got}"),
    ("NO_RIGHTS", "поле rights: ожидалось хотя бы одно право, не указано ни одного (ст. 33-1 п.2)"),
    (
        "INADMISSIBLE_RIGHT",
        "право №{index} вида «{kind}» недопустимо: ожидались товары или услуги эмитента (ст. 33-1 п.4)",
    ),
    ("ZERO_AMOUNT", "поле amount: ожидалось положительное количество, получено 0"),
    ("SUPPLY_CAP_EXCEEDED", "превышен предел выпуска: предел {cap}, выпущено {supply}, количество {amount}"),
    ("OVERFLOW", "арифметическое переполнение: {what}"),
    ("INSUFFICIENT_BALANCE", "недостаточно свободного остатка класса {class}: нужно {needed}, доступно {available}"),
    ("INSUFFICIENT_FROZEN", "нельзя разморозить {amount} класса {class}: заморожено только {frozen}"),
    ("UNKNOWN_RIGHT", "номер права {index} вне диапазона: у класса {class} прав {count}"),
    ("SELF_TRANSFER", "поле to: ожидался другой счёт, указан счёт отправителя"),
    ("UNKNOWN_RECORD", "запись {record} не существует"),
    ("RECORD_TERMINATED", "запись {record} прекращена"),
    (
        "RECORD_ENCUMBERED",
        "запись {record} обременена (обременение {encumbrances}); ожидалось отсутствие обременений: сначала снимите его",
    ),
    ("RECORD_IN_ESCROW", "запись {record} заблокирована в эскроу {escrow}"),
    ("NOT_HOLDER", "счёт подписанта {signer} не является правообладателем {holder} записи {record}"),
    ("UNKNOWN_ENCUMBRANCE", "обременение {encumbrance} не найдено у записи {record}"),
    ("UNKNOWN_ESCROW", "эскроу {escrow} не существует"),
    ("ESCROW_STATE", "эскроу {escrow}: ожидалось состояние «{expected}», текущее — «{status}»"),
    ("DEADLINE_NOT_REACHED", "эскроу {escrow} можно вернуть только после высоты {deadline}, сейчас {height}"),
    ("DEADLINE_IN_PAST", "поле deadline_height: ожидалась высота больше текущей {height}, получено {deadline}"),
    ("UNKNOWN_MINING_NOTIFICATION", "уведомление о майнинге {id} не существует"),
    ("UNKNOWN_ACTIVITY_NOTIFICATION", "уведомление о деятельности {id} не существует"),
    ("NOTIFICATION_STATE", "уведомление {id}: ожидался статус «{expected}», текущий — «{status}»"),
    (
        "INVALID_NOTIFICATION_CHAIN",
        "неверная цепочка уведомлений о майнинге: {reason}[, предыдущее уведомление {previous}][ участника {miner}][, за ним уже следует {next}]",
    ),
    ("INVALID_DATE", "дата {date} не существует в календаре"),
    ("INVALID_VALIDATOR_SET", "неверный состав валидаторов: {reason}[ ({key})]"),
    ("MINING_NOTICE_REQUIRED", "у оператора {party} нет принятого уведомления о майнинге (require_mining_notice)"),
    ("PARAM_OUT_OF_RANGE", "поле {param}: ожидалось значение от {min} до {max}, получено {got}"),
    (
        "ARBITER_NOT_INDEPENDENT",
        "поле arbiter: ожидался счёт участника, отличного от плательщика ({payer_party}) и получателя \
         ({payee_party}), получен счёт участника {arbiter_party}",
    ),
    ("TERMS_HASH_ZERO", "поле terms_hash: ожидался SHA-256 опубликованных условий эскроу, получен нулевой хеш"),
    (
        "TERMS_NOT_PUBLISHED",
        "поле terms_hash: ожидался SHA-256 условий, опубликованных через publish_terms, получен {hash} — таких условий нет",
    ),
    (
        "TERMS_ALREADY_PUBLISHED",
        "поле text: ожидались ещё не опубликованные условия, получены условия {hash}, уже опубликованные участником {by} на высоте {height}",
    ),
    (
        "RESTRICTION_NOT_NAMED",
        "поле restriction: ожидался номер снимаемой заморозки или приостановки (lift_restriction), получена операция {op} класса {class} без номера",
    ),
    ("UNKNOWN_RESTRICTION", "поле restriction: ожидался номер заморозки или приостановки, получен {restriction} — такого нет"),
    (
        "RESTRICTION_LIFTED",
        "поле restriction: ожидалась действующая заморозка или приостановка, получена {restriction}, снятая на высоте {height}",
    ),
    (
        "REGULATOR_RESTRICTION",
        "поле restriction: {restriction} наложено регулятором {imposed_by}; ожидалось снятие регулятором, получен участник {party}",
    ),
    ("CLASS_SUPPLY_OUTSTANDING", "поле class: для закрытия ожидался класс {class} с нулевым выпуском, выпущено {supply}"),
    ("INTERNAL", "внутренняя ошибка узла"),
];

const KK: &[(&str, &str)] = &[
    ("UNKNOWN_SIGNER", "қол қоюшы {key} тіркелген шот емес"),
    ("NONCE_MISMATCH", "{key} шотының nonce өрісі: күтілгені {expected}, берілгені {got}"),
    ("ACCOUNT_REVOKED", "{key} шоты {height} биіктігінде кері қайтарылған"),
    ("PARTY_INACTIVE", "{party} қатысушысы белсенді емес (мәртебесі: {status})"),
    ("VALIDATOR_KEY_CANNOT_SIGN", "{key} кілті — валидатор кілті: ол транзакцияға қол қоймайды және шот бола алмайды"),
    ("NOT_REGULATOR", "{op} операциясы тек реттеушіге рұқсат етілген; {party} қатысушысы реттеуші емес"),
    ("SCOPE_MISSING", "{party} реттеушісінде «{required}» өкілеттігі жоқ (бары: {has})"),
    ("NOT_ISSUER", "{op} операциясы эмитент рөлін талап етеді; {party} қатысушысында ол жоқ"),
    ("UNAUTHORIZED", "{party} қатысушысы {op} орындауға құқылы емес: күтілгені — {expected}[ ({owner} қатысушысы)]"),
    ("EMPTY_FIELD", "{field} өрісі бос болмауы керек"),
    ("INVALID_FIELD", "{field} өрісі: күтілгені {expected}, берілгені {got}"),
    ("WEAK_KEY", "{key} кілті әлсіз немесе қате, оны тіркеуге болмайды"),
    ("KEY_ALREADY_REGISTERED", "{key} кілті бұрын тіркелген"),
    ("DUPLICATE_IDENTIFIER", "{commitment} сәйкестендіргіш міндеттемесі {party} қатысушысына тиесілі"),
    ("DISPLAY_NAME_NOT_ALLOWED", "display_name өрісі: тек заңды тұлғаларға рұқсат етілген"),
    ("UNKNOWN_PARTY", "{party} қатысушысы жоқ"),
    ("UNKNOWN_ACCOUNT", "{key} шоты жоқ"),
    ("ACCOUNT_INACTIVE", "{key} шоты белсенді емес"),
    ("DIFFERENT_PARTY", "шоттар бір қатысушыға тиесілі болуы керек: {from_party} және {to_party}"),
    ("UNKNOWN_CLASS", "{class} токен класы жоқ"),
    ("CLASS_NOT_ACTIVE", "{class} токен класы: күтілгені белсенді, мәртебесі — {status}"),
    ("INVALID_SYMBOL", "symbol өрісі: күтілгені 1–12 латын бас әрпі немесе цифр, берілгені «{symbol}»"),
    ("DUPLICATE_SYMBOL", "{symbol} символын {class} класы пайдаланып отыр"),
    ("INVALID_DECIMALS", "decimals өрісі: күтілгені 18-ден аспайтын сан, берілгені {got}"),
    ("NO_RIGHTS", "rights өрісі: кемінде бір құқық күтілді, бірде-бірі берілмеген (33-1-бап 2-т.)"),
    (
        "INADMISSIBLE_RIGHT",
        "№{index} «{kind}» түріндегі құқыққа жол берілмейді: эмитенттің тауарлары немесе қызметтері күтілді (33-1-бап 4-т.)",
    ),
    ("ZERO_AMOUNT", "amount өрісі: оң сан күтілді, берілгені 0"),
    ("SUPPLY_CAP_EXCEEDED", "шығарылым шегі асып кетті: шегі {cap}, шығарылғаны {supply}, мөлшері {amount}"),
    ("OVERFLOW", "арифметикалық толып кету: {what}"),
    ("INSUFFICIENT_BALANCE", "{class} класының бос қалдығы жеткіліксіз: қажеті {needed}, қолжетімдісі {available}"),
    ("INSUFFICIENT_FROZEN", "{class} класының {amount} мөлшерін босату мүмкін емес: тек {frozen} бұғатталған"),
    ("UNKNOWN_RIGHT", "{index} құқық нөмірі ауқымнан тыс: {class} класында {count} құқық бар"),
    ("SELF_TRANSFER", "to өрісі: басқа шот күтілді, жіберушінің өз шоты берілген"),
    ("UNKNOWN_RECORD", "{record} жазбасы жоқ"),
    ("RECORD_TERMINATED", "{record} жазбасы тоқтатылған"),
    (
        "RECORD_ENCUMBERED",
        "{record} жазбасы ауыртпалықта ({encumbrances} ауыртпалығы); белсенді ауыртпалық болмауы күтілді: алдымен оны алыңыз",
    ),
    ("RECORD_IN_ESCROW", "{record} жазбасы {escrow} эскроуында бұғатталған"),
    ("NOT_HOLDER", "қол қоюшының {signer} шоты {record} жазбасының иесі {holder} емес"),
    ("UNKNOWN_ENCUMBRANCE", "{record} жазбасында {encumbrance} ауыртпалығы табылмады"),
    ("UNKNOWN_ESCROW", "{escrow} эскроуы жоқ"),
    ("ESCROW_STATE", "{escrow} эскроуы: күтілген күйі «{expected}», қазіргісі «{status}»"),
    ("DEADLINE_NOT_REACHED", "{escrow} эскроуын тек {deadline} биіктігінен кейін қайтаруға болады, қазір {height}"),
    ("DEADLINE_IN_PAST", "deadline_height өрісі: ағымдағы {height} биіктігінен үлкен биіктік күтілді, берілгені {deadline}"),
    ("UNKNOWN_MINING_NOTIFICATION", "{id} майнинг туралы хабарламасы жоқ"),
    ("UNKNOWN_ACTIVITY_NOTIFICATION", "{id} қызмет туралы хабарламасы жоқ"),
    ("NOTIFICATION_STATE", "{id} хабарламасы: күтілген мәртебесі «{expected}», қазіргісі «{status}»"),
    (
        "INVALID_NOTIFICATION_CHAIN",
        "майнинг туралы хабарламалар тізбегі қате: {reason}[, алдыңғы хабарлама {previous}][, {miner} қатысушысының][, одан кейін {next} тұр]",
    ),
    ("INVALID_DATE", "{date} күні күнтізбеде жоқ"),
    ("INVALID_VALIDATOR_SET", "валидаторлар құрамы қате: {reason}[ ({key})]"),
    ("MINING_NOTICE_REQUIRED", "{party} операторының қабылданған майнинг хабарламасы жоқ (require_mining_notice)"),
    ("PARAM_OUT_OF_RANGE", "{param} өрісі: {min}..={max} аралығындағы мән күтілді, берілгені {got}"),
    (
        "ARBITER_NOT_INDEPENDENT",
        "arbiter өрісі: төлеушіден ({payer_party}) және алушыдан ({payee_party}) басқа қатысушының шоты күтілді, \
         {arbiter_party} қатысушысының шоты берілген",
    ),
    ("TERMS_HASH_ZERO", "terms_hash өрісі: эскроудың жарияланған шарттарының SHA-256 күтілді, нөлдік хеш берілген"),
    (
        "TERMS_NOT_PUBLISHED",
        "terms_hash өрісі: publish_terms арқылы жарияланған шарттардың SHA-256 күтілді, {hash} берілген — ондай шарттар жоқ",
    ),
    (
        "TERMS_ALREADY_PUBLISHED",
        "text өрісі: әлі жарияланбаған шарттар күтілді, {by} қатысушысы {height} биіктігінде жариялаған {hash} шарттары берілген",
    ),
    (
        "RESTRICTION_NOT_NAMED",
        "restriction өрісі: алынатын бұғаттаудың немесе тоқтата тұрудың нөмірі күтілді (lift_restriction), {class} класының нөмірсіз {op} операциясы берілген",
    ),
    ("UNKNOWN_RESTRICTION", "restriction өрісі: бұғаттаудың немесе тоқтата тұрудың нөмірі күтілді, {restriction} берілген — ондай жоқ"),
    (
        "RESTRICTION_LIFTED",
        "restriction өрісі: қолданыстағы бұғаттау немесе тоқтата тұру күтілді, {height} биіктігінде алынған {restriction} берілген",
    ),
    (
        "REGULATOR_RESTRICTION",
        "restriction өрісі: {restriction} шектеуін {imposed_by} реттеушісі қойған; оны реттеуші алуы күтілді, {party} қатысушысы берілген",
    ),
    ("CLASS_SUPPLY_OUTSTANDING", "class өрісі: жабу үшін шығарылымы 0 болатын {class} класы күтілді, шығарылғаны {supply}"),
    ("INTERNAL", "түйіннің ішкі қатесі"),
];

/// English words for the stable names that fill placeholders.
const EN_VALUES: &[(&str, &str)] = &[
    ("", "none"),
    ("payer_or_payee", "payer or payee"),
    ("party_itself", "party itself"),
    ("key_owner", "key's owner"),
    ("certifier_or_holder", "certifier or holder"),
    ("class_issuer", "class's issuer"),
    ("class_issuer_or_regulator", "class's issuer or a regulator"),
    ("not_revoked", "a party not revoked"),
    ("start_has_previous", "a start notification names no previous one"),
    ("previous_missing", "a change or termination must name the previous notification"),
    ("previous_of_other_miner", "the previous notification is another miner's"),
    ("previous_already_followed", "the previous notification was already followed"),
    ("activity_terminated", "the activity is terminated"),
    ("termination_pending", "a termination is pending review"),
    ("not_a_validator", "the key is not a validator"),
    ("account_key", "the key is an account key"),
    ("empty", "no validator would remain"),
    ("duplicate_validator", "a validator appears twice"),
    ("duplicate_p2p_key", "a p2p identity key is recorded for another validator"),
    ("weak_p2p_key", "the p2p identity key is a weak key"),
    ("zero_power", "a validator has zero voting power"),
    ("power_overflow", "the total voting power overflows"),
    ("too_many_validators", "too many validators"),
];

const RU_VALUES: &[(&str, &str)] = &[
    ("", "нет"),
    ("active", "активен"),
    ("suspended", "приостановлен"),
    ("revoked", "отозван"),
    ("paused", "приостановлен"),
    ("closed", "закрыт"),
    ("open", "открыто"),
    ("disputed", "оспорено"),
    ("released", "выплачено получателю"),
    ("refunded", "возвращено плательщику"),
    ("submitted", "подано"),
    ("accepted", "принято"),
    ("rejected", "отклонено"),
    ("assets", "цифровые активы"),
    ("mining", "майнинг"),
    ("goods", "товары"),
    ("services", "услуги"),
    ("share", "доля в юридическом лице"),
    ("bond", "облигация"),
    ("vote", "право голоса"),
    ("dividend", "дивиденды"),
    ("financial_instrument", "финансовый инструмент"),
    ("payer", "плательщик"),
    ("payer_or_payee", "плательщик или получатель"),
    ("arbiter", "арбитр"),
    ("party_itself", "сам участник"),
    ("key_owner", "владелец ключа"),
    ("beneficiary", "бенефициар"),
    ("certifier_or_holder", "удостоверяющее лицо или правообладатель"),
    ("class_issuer", "эмитент класса"),
    ("class_issuer_or_regulator", "эмитент класса или регулятор"),
    ("not_revoked", "неотозванный участник"),
    ("start_has_previous", "уведомление о начале не ссылается на предыдущее"),
    ("previous_missing", "изменение или прекращение должно ссылаться на предыдущее уведомление"),
    ("previous_of_other_miner", "предыдущее уведомление принадлежит другому майнеру"),
    ("previous_already_followed", "за предыдущим уведомлением уже последовало другое"),
    ("activity_terminated", "деятельность прекращена"),
    ("termination_pending", "уведомление о прекращении ожидает рассмотрения"),
    ("not_a_validator", "ключ не является валидатором"),
    ("account_key", "ключ является ключом счёта"),
    ("empty", "не осталось бы ни одного валидатора"),
    ("duplicate_validator", "валидатор указан дважды"),
    ("duplicate_p2p_key", "p2p-ключ идентичности уже записан за другим валидатором"),
    ("weak_p2p_key", "p2p-ключ идентичности — слабый ключ"),
    ("zero_power", "у валидатора нулевой вес голоса"),
    ("power_overflow", "суммарный вес голосов переполняется"),
    ("too_many_validators", "слишком много валидаторов"),
];

const KK_VALUES: &[(&str, &str)] = &[
    ("", "жоқ"),
    ("active", "белсенді"),
    ("suspended", "тоқтатылған"),
    ("revoked", "кері қайтарылған"),
    ("paused", "тоқтатылған"),
    ("closed", "жабылған"),
    ("open", "ашық"),
    ("disputed", "дауланған"),
    ("released", "алушыға төленген"),
    ("refunded", "төлеушіге қайтарылған"),
    ("submitted", "берілген"),
    ("accepted", "қабылданған"),
    ("rejected", "қабылданбаған"),
    ("assets", "цифрлық активтер"),
    ("mining", "майнинг"),
    ("goods", "тауарлар"),
    ("services", "қызметтер"),
    ("share", "заңды тұлғадағы үлес"),
    ("bond", "облигация"),
    ("vote", "дауыс беру құқығы"),
    ("dividend", "дивидендтер"),
    ("financial_instrument", "қаржы құралы"),
    ("payer", "төлеуші"),
    ("payer_or_payee", "төлеуші немесе алушы"),
    ("arbiter", "төреші"),
    ("party_itself", "қатысушының өзі"),
    ("key_owner", "кілт иесі"),
    ("beneficiary", "бенефициар"),
    ("certifier_or_holder", "куәландырушы немесе құқық иесі"),
    ("class_issuer", "класс эмитенті"),
    ("class_issuer_or_regulator", "класс эмитенті немесе реттеуші"),
    ("not_revoked", "кері қайтарылмаған қатысушы"),
    ("start_has_previous", "бастау туралы хабарлама алдыңғысына сілтемейді"),
    ("previous_missing", "өзгерту немесе тоқтату алдыңғы хабарламаға сілтеуі керек"),
    ("previous_of_other_miner", "алдыңғы хабарлама басқа майнердікі"),
    ("previous_already_followed", "алдыңғы хабарламадан кейін басқасы берілген"),
    ("activity_terminated", "қызмет тоқтатылған"),
    ("termination_pending", "тоқтату туралы хабарлама қаралуда"),
    ("not_a_validator", "кілт валидатор емес"),
    ("account_key", "кілт — шот кілті"),
    ("empty", "бірде-бір валидатор қалмас еді"),
    ("duplicate_validator", "валидатор екі рет көрсетілген"),
    ("duplicate_p2p_key", "p2p сәйкестендіру кілті басқа валидаторға жазылған"),
    ("weak_p2p_key", "p2p сәйкестендіру кілті — әлсіз кілт"),
    ("zero_power", "валидатордың дауыс салмағы нөл"),
    ("power_overflow", "дауыстардың жалпы салмағы толып кетеді"),
    ("too_many_validators", "валидаторлар тым көп"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_language_has_the_same_codes_and_placeholders() {
        let en: Vec<&str> = codes(Lang::En).collect();
        for lang in [Lang::Ru, Lang::Kk] {
            let other: Vec<&str> = codes(lang).collect();
            assert_eq!(other, en, "{}: the codes differ from English", lang.tag());
            for code in &en {
                let mut a: Vec<(&str, bool)> = placeholders(template(code, Lang::En).unwrap_or_default());
                let mut b: Vec<(&str, bool)> = placeholders(template(code, lang).unwrap_or_default());
                a.sort();
                b.sort();
                assert_eq!(a, b, "{code} in {}: placeholders differ from English", lang.tag());
            }
        }
        let ru: Vec<&str> = RU_VALUES.iter().map(|(v, _)| *v).collect();
        let kk: Vec<&str> = KK_VALUES.iter().map(|(v, _)| *v).collect();
        assert_eq!(ru, kk, "Kazakh words every value Russian does");
    }

    #[test]
    fn render_fills_placeholders_and_drops_absent_optional_segments() {
        let a = args(&[("op", "release_escrow"), ("party", "3"), ("expected", "payer"), ("owner", "2")]);
        assert_eq!(
            render("UNAUTHORIZED", &a, Lang::En),
            "party 3 is not authorised to release_escrow: expected the payer (party 2)"
        );
        assert_eq!(
            render("UNAUTHORIZED", &a, Lang::Ru),
            "участник 3 не вправе выполнить release_escrow: ожидался плательщик (участник 2)"
        );
        let a = args(&[("op", "dispute_escrow"), ("party", "3"), ("expected", "payer_or_payee")]);
        assert_eq!(
            render("UNAUTHORIZED", &a, Lang::En),
            "party 3 is not authorised to dispute_escrow: expected the payer or payee"
        );
        let a = args(&[("party", "3"), ("required", "mining"), ("has", "")]);
        assert_eq!(render("SCOPE_MISSING", &a, Lang::Kk), "3 реттеушісінде «майнинг» өкілеттігі жоқ (бары: жоқ)");
        assert_eq!(render("NEW_CODE", &args(&[("x", "1")]), Lang::Ru), "NEW_CODE (x=1)");
        assert_eq!(render("ZERO_AMOUNT", &[], Lang::En), "field amount: expected a positive amount, got 0");
    }

    #[test]
    fn lang_from_locale_tags() {
        assert_eq!(Lang::from_tag("kk-KZ"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("ru_RU.UTF-8"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("de"), None);
    }
}
