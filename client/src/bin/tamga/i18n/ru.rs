//! Russian messages and help. Same keys and placeholders as `en.rs`;
//! the help table is keyed by the English text of the clap derive
//! ([`super::help`]). Tests keep both whole.

/// Message key → template.
pub const MESSAGES: &[(&str, &str)] = &[
    ("help.usage", "Использование:"),
    ("help.commands", "Команды"),
    ("help.arguments", "Аргументы"),
    ("help.options", "Параметры"),
    ("error.prefix", "ошибка"),
    ("runtime.failed", "ошибка: не удалось запустить асинхронную среду выполнения: {0}"),
    ("key.needed", "этой команде нужен ключ: укажите --key FILE или задайте TAMGA_KEY"),
    ("account.needed", "укажите адрес счёта или --key"),
    ("export.key_needed", "выгрузке эмитента нужен --key: ключ счёта стороны-эмитента или регулятора"),
    ("passphrase.prompt", "Пароль для {0}: "),
    ("fetch.decimals", "получение числа знаков класса {0}"),
    ("fetch.mining", "получение уведомления о майнинге {0}"),
    ("fetch.chain_id", "получение идентификатора цепочки (или укажите --chain-id)"),
    ("fetch.nonce", "получение следующего nonce счёта (или укажите --nonce)"),
    ("tx.hash_differs", "узел называет транзакцию {0}, файл — {1}"),
    ("tx.saved", "подписанная транзакция сохранена в {0}"),
    ("tx.refused", "узел отклонил транзакцию"),
    ("tx.waiting", "ожидание записи {0}"),
    ("tx.failed", "ошибка: транзакция не выполнена: {0}: {1}"),
    ("tx.not_found", "транзакция {0} не записана и не ожидает на {1}"),
    ("tx.pending", "транзакция {0} ещё не записана"),
    ("tx.status_at", "{0}: {1} на высоте {2} ({3})"),
    ("usage.nothing", "нечего делать для {0}: укажите идентификатор или подкоманду (см. --help)"),
    ("file.create_failed", "создание {0}: {1}"),
    ("file.write_failed", "запись {0}: {1}"),
    ("sign.standing", "Внимание: подпись Tamga — цифровое подтверждение этой транзакции в реестре; она не является электронной цифровой подписью (ЭЦП) в смысле законодательства об электронных документах (Цифровой кодекс, ст. 47 п.4, 49)."),
    ("sign.cert", "Сертификат подписывающего счёта: издатель {0}, серийный номер {1}"),
    ("sign.no_cert", "Сертификат подписывающего счёта: не зарегистрирован"),
    ("sign.cert_unknown", "Сертификат подписывающего счёта: здесь неизвестен"),
    ("sign.confirm", "Подписать и отправить? [д/Н] "),
    ("sign.declined", "не подписано: подтверждение не дано"),
    ("sign.no_terminal", "нужно подтверждение, но stdin — не терминал: укажите --yes, чтобы подписать без вопроса"),
    ("register.identifier_missing", "укажите --iin-bin (с --salt или без) или --id-commitment"),
    ("salt.missing", "--salt: соль не указана и не сгенерирована"),
    ("salt.not_hex", "--salt: ожидается 64 шестнадцатеричных символа (32 случайных байта), получено не hex: {0}"),
    ("salt.length", "--salt: ожидается {0} байт ({1} шестнадцатеричных символов) случайных данных, получено {2} байт"),
    ("salt.random_failed", "--salt: источник случайности операционной системы не сработал: {0}"),
    ("salt.generated", "Сгенерирована соль идентификатора (32 случайных байта): {0}\nХраните её вне реестра, у стороны: с ней обязательство можно сверить с ИИН/БИН; уничтожьте все копии, чтобы обязательство нельзя было связать с лицом (SPEC §3)."),
    ("salt.saved", "соль сохранена в {0}"),
    ("ident.iin", "ИИН (индивидуальный идентификационный номер)"),
    ("ident.bin", "БИН (бизнес-идентификационный номер)"),
    ("ident.party.individual", "физическое лицо"),
    ("ident.party.legal_entity", "юридическое лицо"),
    ("ident.format", "ИИН/БИН должен состоять ровно из 12 цифр, получено \"{0}\""),
    ("ident.check_digit", "ИИН/БИН {0}: контрольная цифра {2}, ожидается {1}"),
    ("ident.unassignable", "--iin-bin: у {0} не может быть верной контрольной цифры"),
    ("ident.structure", "--iin-bin: {0}: цифры {1} равны {2}, ожидается {3}"),
    ("ident.expected.3-4", "месяц, 01-12"),
    ("ident.expected.5-6", "день рождения, 01-31 (ИИН)"),
    ("ident.expected.5", "0-3 (день рождения в ИИН) или 4-6 (тип организации в БИН)"),
    ("ident.expected.7", "цифра века и пола, 1-6 (ИИН)"),
    ("ident.kind_mismatch", "--iin-bin: {0} по своей структуре — {1} (5-я цифра {2}), но --kind — {3}: ожидается {4}"),
    ("region.unknown", "неизвестный регион \"{0}\": ожидается код региона или его название на казахском, русском или английском; коды: {1}"),
    ("region.ambiguous", "регион \"{0}\" неоднозначен: это {1}; уточните (например, \"город Алматы\" или \"Алматинская область\")"),
    ("passphrase.new", "Новый пароль: "),
    ("passphrase.repeat", "Повторите пароль: "),
    ("passphrase.differ", "пароли не совпадают"),
    ("passphrase.empty", "пароль пуст"),
    ("passphrase.none", "нет пароля: задайте {0}, укажите --passphrase-file FILE или запустите в терминале, чтобы его спросили"),
    ("passphrase.needed", "зашифрованному файлу ключа нужен пароль: задайте {0}, укажите --passphrase-file FILE, запустите в терминале, чтобы его спросили, или укажите --plain для незашифрованного ключа разработки"),
    ("keys.seed_prompt", "Seed (64 шестнадцатеричных символа): "),
    ("keys.none", "в {0} нет файлов ключей"),
    ("verify.valid", "ДЕЙСТВИТЕЛЬНЫЙ пакет квитанции"),
    ("verify.invalid", "НЕДЕЙСТВИТЕЛЕН: {0}"),
    ("verify.transaction", "транзакция:   {0}\n"),
    ("verify.chain", "цепочка:      {0}\n"),
    ("verify.signed_by", "подписал:     счёт {0} (подпись верна)\n"),
    ("verify.party", "сторона:      {0}\n"),
    ("verify.party.proof", "сторона {0} (доказано по корню состояния блока; статус счёта {1})"),
    ("verify.party.genesis", "сторона {0} (указана в генезисе)"),
    ("verify.party.no_account", "нет: состояние доказывает, что у подписанта не было счёта (неизвестный подписант)"),
    ("verify.party.unknown", "не определить по одному файлу генезиса"),
    ("verify.at_genesis", "записано:     в генезисе (высота 0, транзакция {0}), время {1} мс\n"),
    ("verify.committed", "записано:     высота {0}, позиция {1}, время блока {2} мс от эпохи\n"),
    ("verify.block", "блок:         {0}\n"),
    ("verify.certified", "удостоверено: {0} валидаторами с мощностью {1} из {2} ({3} смен набора валидаторов проверено от генезиса)\n"),
    ("verify.certifier", "              {0} (сторона-оператор {1}, мощность {2})\n"),
    ("verify.success", "успех"),
    ("verify.failed", "не выполнена: {0}: {1}"),
    ("verify.outcome", "результат:    {0} (как записал выгрузивший узел; сертификатом не покрывается)\n"),
    ("verify.what", "что делает:"),
    // Hardware tokens (--pkcs11-*).
    ("signer.both", "--key и --pkcs11-module: ожидается одна подпись, указаны обе (--key {0}, возможно из TAMGA_KEY, и токен); укажите либо --key FILE, либо параметры --pkcs11-*"),
    ("pkcs11.module_needed", "--pkcs11-module: ожидается путь к библиотеке PKCS#11 токена, не указан (другие параметры --pkcs11-* указаны)"),
    ("pkcs11.key_needed", "--pkcs11-key: ожидается метка ключа на токене, не указана"),
    ("pkcs11.token_needed", "--pkcs11-token или --pkcs11-slot: ожидается токен, хранящий ключ, не указан ни один"),
    ("pkcs11.pin_prompt", "PIN пользователя токена {0}: "),
    ("pkcs11.pin_needed", "PIN пользователя токена: ожидается --pkcs11-pin-file FILE или {0}, не указано ни то ни другое (и нет терминала, чтобы спросить)"),
    ("sign.token_signed", "подписано на токене: tx_hash {0} (подпись проверена открытым ключом токена)"),
];

/// English help text → translation.
pub const HELP: &[(&str, &str)] = &[
    (
        "Tamga command-line client: keys, transactions for every ledger operation, registries and chain queries, over a node's HTTP API",
        "Клиент командной строки Tamga: ключи, транзакции для каждой операции реестра, реестры и запросы к цепочке через HTTP API узла",
    ),
    (
        "Tamga command-line client: keys, transactions for every ledger operation, registries and chain queries, over a node's HTTP API.\n\nTransaction commands show what will be signed (operation, payload, signer, nonce, chain id) on stderr, ask for confirmation (`--yes` skips), submit, wait for the receipt and print it; `--json` prints the receipt as one JSON object (`tx_hash`, `height`, `status`, `events`, and the ids the transaction created: `record_id`, `notification_id`, `class_id`, `escrow_id`, `encumbrance_id`, `party_id`, `restriction_id`).\n\nAddresses (ADDRESS, KEY) are account public keys, 64 hex characters, as `tamga keys show` prints them. Token amounts are in the class's display units unless `--base-units` (see `tamga token mint --help`).\n\nExit status: 0 success; 1 error (bad key file, unreachable node, …); 2 usage error; 3 the transaction committed with a failed receipt; 4 the node refused the request (a transaction's admission error, an unknown id); 5 no receipt within --timeout (the transaction may still commit). On an error `--json` prints `{\"code\", \"message\", …}` on stdout, text mode prints `error: …` on stderr.",
        "Клиент командной строки Tamga: ключи, транзакции для каждой операции реестра, реестры и запросы к цепочке через HTTP API узла.\n\nКоманды-транзакции показывают в stderr, что будет подписано (операция, содержимое, подписант, nonce, идентификатор цепочки), просят подтверждения (`--yes` пропускает), отправляют, ждут квитанцию и печатают её; `--json` печатает квитанцию одним объектом JSON (`tx_hash`, `height`, `status`, `events` и идентификаторы, созданные транзакцией: `record_id`, `notification_id`, `class_id`, `escrow_id`, `encumbrance_id`, `party_id`, `restriction_id`).\n\nАдреса (ADDRESS, KEY) — открытые ключи счетов, 64 шестнадцатеричных символа, как их печатает `tamga keys show`. Суммы токенов — в отображаемых единицах класса, если не указан `--base-units` (см. `tamga token mint --help`).\n\nКод завершения: 0 успех; 1 ошибка (неверный файл ключа, узел недоступен, …); 2 ошибка использования; 3 транзакция записана с неуспешной квитанцией; 4 узел отклонил запрос (ошибка допуска транзакции, неизвестный идентификатор); 5 нет квитанции за --timeout (транзакция ещё может быть записана). При ошибке `--json` печатает `{\"code\", \"message\", …}` в stdout, текстовый режим печатает `ошибка: …` в stderr.",
    ),
    (
        "Base URL of the node's HTTP API",
        "Базовый URL HTTP API узла",
    ),
    (
        "Signing key file: plain (64 hex characters of an ed25519 seed, as a devnet's `keys/*.key`) or encrypted (`tamga keys new`; passphrase from TAMGA_PASSPHRASE, --passphrase-file or a prompt on the terminal)",
        "Файл ключа подписи: открытый (64 шестнадцатеричных символа seed ed25519, как `keys/*.key` devnet) или зашифрованный (`tamga keys new`; пароль из TAMGA_PASSPHRASE, --passphrase-file или запрос в терминале)",
    ),
    (
        "File whose first line is the passphrase of an encrypted key file",
        "Файл, первая строка которого — пароль зашифрованного файла ключа",
    ),
    (
        "PKCS#11 module of a hardware token (its vendor's library; SoftHSM2's `libsofthsm2.so` for tests): sign with an Ed25519 key on the token instead of --key. Needs --pkcs11-key and --pkcs11-token or --pkcs11-slot",
        "Модуль PKCS#11 аппаратного токена (библиотека его производителя; для тестов `libsofthsm2.so` SoftHSM2): подписывать ключом Ed25519 на токене вместо --key. Нужны --pkcs11-key и --pkcs11-token или --pkcs11-slot",
    ),
    (
        "Label (CKA_LABEL) of the Ed25519 key pair on the token",
        "Метка (CKA_LABEL) пары ключей Ed25519 на токене",
    ),
    (
        "Label of the token that holds the key",
        "Метка токена, хранящего ключ",
    ),
    (
        "Slot id of the token that holds the key (instead of --pkcs11-token)",
        "Номер слота токена, хранящего ключ (вместо --pkcs11-token)",
    ),
    (
        "File (mode 0600) whose first line is the token's user PIN [default: TAMGA_PKCS11_PIN, else a prompt on the terminal]",
        "Файл (права 0600), первая строка которого — PIN пользователя токена [по умолчанию: TAMGA_PKCS11_PIN, иначе запрос в терминале]",
    ),
    (
        "CA certificate (PEM) to trust for an https:// node instead of the system's store (a devnet's `DIR/tls/ca.pem`, written by `tamgad devnet --tls`)",
        "Сертификат УЦ (PEM), которому доверять для узла https:// вместо системного хранилища (`DIR/tls/ca.pem` devnet, записанный `tamgad devnet --tls`)",
    ),
    (
        "Client certificate (PEM) presented to a node that asks for one (`api.tls.client_ca_file`); needs --client-key",
        "Клиентский сертификат (PEM), предъявляемый узлу, который его требует (`api.tls.client_ca_file`); нужен и --client-key",
    ),
    (
        "Private key (PEM) of --client-cert",
        "Закрытый ключ (PEM) для --client-cert",
    ),
    (
        "Chain id to sign for [default: the node's, from /v1/status]",
        "Идентификатор цепочки для подписи [по умолчанию: узла, из /v1/status]",
    ),
    (
        "Print one JSON document on stdout (same as `--output json`)",
        "Печатать один документ JSON в stdout (то же, что `--output json`)",
    ),
    (
        "Output format: `text` for people, `json` (one JSON document on stdout) for machines",
        "Формат вывода: `text` для людей, `json` (один документ JSON в stdout) для программ",
    ),
    (
        "Sign and submit without asking for confirmation",
        "Подписать и отправить без запроса подтверждения",
    ),
    (
        "Return after submission instead of waiting for the receipt",
        "Вернуться после отправки, не дожидаясь квитанции",
    ),
    (
        "Seconds to wait for the receipt",
        "Сколько секунд ждать квитанцию",
    ),
    (
        "Memo attached to the transaction (at most 256 bytes)",
        "Примечание к транзакции (не более 256 байт)",
    ),
    (
        "Nonce to sign with [default: the account's next nonce on chain]",
        "Nonce для подписи [по умолчанию: следующий nonce счёта в цепочке]",
    ),
    (
        "Amounts are raw base units (u128) instead of display units. By default an amount is a decimal in the class's units (`12.5` in a class with 2 decimals is 1250 base units), fetched from the node",
        "Суммы в исходных базовых единицах (u128), а не в отображаемых. По умолчанию сумма — десятичное число в единицах класса (`12.5` в классе с 2 знаками — это 1250 базовых единиц), число знаков берётся с узла",
    ),
    (
        "Transaction commands: also save the signed transaction to FILE (JSON: `hash`, `raw` hex of its canonical bytes, `tx`); `tamga tx submit FILE` submits it later. `keys new|import`: the key file to create. `escrow terms`: the file to write the terms to",
        "Команды-транзакции: также сохранить подписанную транзакцию в FILE (JSON: `hash`, `raw` — hex её канонических байтов, `tx`); `tamga tx submit FILE` отправит её позже. `keys new|import`: создаваемый файл ключа. `escrow terms`: файл, куда записать условия",
    ),
    (
        "Sign (and save with --out) but do not submit; needs --chain-id and --nonce to work without a node",
        "Подписать (и сохранить с --out), но не отправлять; без узла нужны --chain-id и --nonce",
    ),
    (
        "Language of messages, prompts and help: kk (Kazakh), ru (Russian) or en [default: from LC_ALL, LC_MESSAGES or LANG, else en]. The node's answers are asked for in it too (Accept-Language)",
        "Язык сообщений, запросов и справки: kk (казахский), ru (русский) или en [по умолчанию: из LC_ALL, LC_MESSAGES или LANG, иначе en]. Ответы узла тоже запрашиваются на нём (Accept-Language)",
    ),
    (
        "Print help (see more with '--help')",
        "Показать справку (подробнее: '--help')",
    ),
    (
        "Print help (see a summary with '-h')",
        "Показать справку (кратко: '-h')",
    ),
    (
        "Print version",
        "Показать версию",
    ),
    (
        "Create, list, show and import key files (encrypted by default)",
        "Создание, список, просмотр и импорт файлов ключей (по умолчанию зашифрованных)",
    ),
    (
        "Generate a new key into a new file (mode 0600, never overwritten) and print its address",
        "Создать новый ключ в новом файле (режим 0600, никогда не перезаписывается) и напечатать его адрес",
    ),
    (
        "Generate a new key into a new file (mode 0600, never overwritten) and print its address.\n\nThe file is encrypted with a passphrase (TAMGA_PASSPHRASE, --passphrase-file, or asked twice on the terminal) unless --plain. Where: --out FILE, else DIR/NAME.key (DIR: --dir, default ~/.tamga/keys).",
        "Создать новый ключ в новом файле (режим 0600, никогда не перезаписывается) и напечатать его адрес.\n\nФайл шифруется паролем (TAMGA_PASSPHRASE, --passphrase-file или дважды запрашивается в терминале), если не указан --plain. Куда: --out FILE, иначе DIR/NAME.key (DIR: --dir, по умолчанию ~/.tamga/keys).",
    ),
    (
        "Name of the key: the file is DIR/NAME.key",
        "Имя ключа: файл — DIR/NAME.key",
    ),
    (
        "Directory for NAME [default: ~/.tamga/keys]",
        "Каталог для NAME [по умолчанию: ~/.tamga/keys]",
    ),
    (
        "Write the seed unencrypted (64 hex characters; development only)",
        "Записать seed без шифрования (64 шестнадцатеричных символа; только для разработки)",
    ),
    (
        "List the key files in a directory with their addresses (no passphrase needed)",
        "Список файлов ключей в каталоге с их адресами (пароль не нужен)",
    ),
    (
        "Directory [default: ~/.tamga/keys]",
        "Каталог [по умолчанию: ~/.tamga/keys]",
    ),
    (
        "Print the address (public key) of a key file: `keys show FILE` or `--key FILE`",
        "Напечатать адрес (открытый ключ) файла ключа: `keys show FILE` или `--key FILE`",
    ),
    (
        "Key file [default: --key]",
        "Файл ключа [по умолчанию: --key]",
    ),
    (
        "Also decrypt an encrypted file, proving the passphrase opens it",
        "Также расшифровать зашифрованный файл, доказав, что пароль его открывает",
    ),
    (
        "Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file",
        "Импортировать seed из 64 шестнадцатеричных символов (из --seed-file или одной строкой из stdin) в новый файл ключа",
    ),
    (
        "Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file.\n\nEncrypted unless --plain; the file is --out FILE, else DIR/NAME.key.",
        "Импортировать seed из 64 шестнадцатеричных символов (из --seed-file или одной строкой из stdin) в новый файл ключа.\n\nЗашифрован, если не указан --plain; файл — --out FILE, иначе DIR/NAME.key.",
    ),
    (
        "File holding the seed as 64 hex characters (a plain key file) [default: stdin]",
        "Файл с seed из 64 шестнадцатеричных символов (открытый файл ключа) [по умолчанию: stdin]",
    ),
    (
        "Write the seed unencrypted (development only)",
        "Записать seed без шифрования (только для разработки)",
    ),
    (
        "Print this message or the help of the given subcommand(s)",
        "Показать это сообщение или справку по указанным подкомандам",
    ),
    (
        "The node's status: chain id, height, block hash, state root (GET /v1/status)",
        "Состояние узла: идентификатор цепочки, высота, хеш блока, корень состояния (GET /v1/status)",
    ),
    (
        "Chain facts fixed at genesis: chain id, genesis hash, regulation hash, network type",
        "Факты цепочки, зафиксированные в генезисе: идентификатор цепочки, хеш генезиса, хеш регламента, тип сети",
    ),
    (
        "Chain parameters, or change one (regulator)",
        "Параметры цепочки или изменение одного из них (регулятор)",
    ),
    (
        "Set a chain parameter (regulator): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
        "Установить параметр цепочки (регулятор): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
    ),
    (
        "Parameter name",
        "Имя параметра",
    ),
    (
        "New value",
        "Новое значение",
    ),
    (
        "The validator set, or change it (regulator)",
        "Набор валидаторов или его изменение (регулятор)",
    ),
    (
        "The set certifying the block at this height [default: the next block]",
        "Набор, удостоверяющий блок на этой высоте [по умолчанию: следующий блок]",
    ),
    (
        "Change validators (regulator), effective `validator_change_delay` blocks after commit",
        "Изменить валидаторов (регулятор); вступает в силу через `validator_change_delay` блоков после записи",
    ),
    (
        "`KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; power 0 removes the validator; `P2P_KEY` is the node's p2p identity (`tamgad show-key`), omitted it keeps the recorded one (the consensus key for a new validator). Repeat for several",
        "`KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; мощность 0 удаляет валидатора; `P2P_KEY` — p2p-идентификатор узла (`tamgad show-key`), если не указан, сохраняется записанный (для нового валидатора — его консенсусный ключ). Повторите для нескольких",
    ),
    (
        "The node's p2p identity key (`tamgad show-key` prints it), under whose peer id peers admit it. Without it a new validator is admitted under its consensus key, and an existing one keeps its recorded p2p key",
        "Ключ p2p-идентификации узла (его выводит `tamgad show-key`): узлы сети допускают узел по peer id этого ключа. Без него новый валидатор допускается по своему консенсусному ключу, а существующий сохраняет записанный p2p-ключ",
    ),
    (
        "An account: status, next nonce, balances [default: the --key account]",
        "Счёт: статус, следующий nonce, балансы [по умолчанию: счёт --key]",
    ),
    (
        "Account address (64 hex)",
        "Адрес счёта (64 hex)",
    ),
    (
        "List the records the account holds instead",
        "Вместо этого перечислить записи, которыми владеет счёт",
    ),
    (
        "An account's token balances: class, amount, frozen, free (base units) [default: the --key account]",
        "Балансы токенов счёта: класс, сумма, заморожено, свободно (базовые единицы) [по умолчанию: счёт --key]",
    ),
    (
        "A transaction by hash (`tx HASH`, `tx status HASH`), or submit a saved one",
        "Транзакция по хешу (`tx HASH`, `tx status HASH`) или отправка сохранённой",
    ),
    (
        "Transaction hash (hex): the transaction with its receipt, if committed",
        "Хеш транзакции (hex): транзакция с квитанцией, если записана",
    ),
    (
        "Whether a transaction is committed (with its outcome), pending or unknown",
        "Записана ли транзакция (с результатом), ожидает или неизвестна",
    ),
    (
        "Transaction hash (hex)",
        "Хеш транзакции (hex)",
    ),
    (
        "Submit a transaction saved with --out (and wait for its receipt)",
        "Отправить транзакцию, сохранённую с --out (и дождаться квитанции)",
    ),
    (
        "The saved transaction",
        "Сохранённая транзакция",
    ),
    (
        "The receipt of a committed transaction (`receipt HASH`), or export and verify an offline-verifiable receipt bundle (Digital Code art. 62 p.1: a signed document is kept and verified outside the system that made it)",
        "Квитанция записанной транзакции (`receipt HASH`) или экспорт и проверка пакета квитанции, проверяемого офлайн (Цифровой кодекс, ст. 62 п.1: подписанный документ хранится и проверяется вне системы, которая его создала)",
    ),
    (
        "Transaction hash (hex): print its receipt",
        "Хеш транзакции (hex): напечатать её квитанцию",
    ),
    (
        "Fetch the receipt bundle of a committed transaction and write it to --out FILE (GET /v1/txs/{hash}/bundle; the bundle is checked before it is written when --genesis is given)",
        "Получить пакет квитанции записанной транзакции и записать его в --out FILE (GET /v1/txs/{hash}/bundle; при --genesis пакет проверяется перед записью)",
    ),
    (
        "The network's genesis.json, to verify the bundle before saving it",
        "genesis.json сети, чтобы проверить пакет перед сохранением",
    ),
    (
        "Verify a receipt bundle offline against a genesis: who signed, which party, when and at which height it was committed, what it does",
        "Проверить пакет квитанции офлайн по генезису: кто подписал, какая сторона, когда и на какой высоте записано, что делает",
    ),
    (
        "The bundle file (binary, or its hex)",
        "Файл пакета (двоичный или его hex)",
    ),
    (
        "The network's genesis.json: the only thing trusted",
        "genesis.json сети: единственное, чему доверяют",
    ),
    (
        "Verify the chain of block headers and commit certificates from a trusted genesis, across validator-set changes (light verification)",
        "Проверить цепочку заголовков блоков и сертификатов фиксации от доверенного генезиса через смены набора валидаторов (лёгкая проверка)",
    ),
    (
        "Last height to verify [default: the node's latest]",
        "Последняя проверяемая высота [по умолчанию: последняя у узла]",
    ),
    (
        "A block: `block show HEIGHT|latest` (also `block HEIGHT`)",
        "Блок: `block show HEIGHT|latest` (также `block HEIGHT`)",
    ),
    (
        "Height, or `latest`",
        "Высота или `latest`",
    ),
    (
        "Print the block's receipts instead",
        "Вместо этого напечатать квитанции блока",
    ),
    (
        "A block: height, hash, state_root, tx_count, header, transaction hashes, certificate",
        "Блок: высота, хеш, state_root, tx_count, заголовок, хеши транзакций, сертификат",
    ),
    (
        "Parties: list, show, register and manage (IIN/BIN kept off the ledger as a salted commitment)",
        "Стороны: список, просмотр, регистрация и управление (ИИН/БИН хранится вне реестра как солёное обязательство)",
    ),
    (
        "Party id to show",
        "Идентификатор стороны для просмотра",
    ),
    (
        "All parties",
        "Все стороны",
    ),
    (
        "One party with its accounts and roles",
        "Одна сторона с её счетами и ролями",
    ),
    (
        "Party id",
        "Идентификатор стороны",
    ),
    (
        "Register a party with its accounts (regulator)",
        "Зарегистрировать сторону с её счетами (регулятор)",
    ),
    (
        "`individual` or `legal-entity`",
        "`individual` (физическое лицо) или `legal-entity` (юридическое лицо)",
    ),
    (
        "The 12-digit IIN (individual) or BIN (legal entity), checked before hashing: its check digit, and that its structure fits --kind (Digital Code art. 45); only its salted commitment leaves this machine",
        "12-значный ИИН (физическое лицо) или БИН (юридическое лицо), проверяемый до хеширования: контрольная цифра и соответствие его структуры --kind (Цифровой кодекс, ст. 45); с этой машины уходит только его солёное обязательство",
    ),
    (
        "The commitment's salt: 32 random bytes (64 hex characters); a shorter one is refused. Without it a salt is generated here from the operating system's random source and shown (and saved with --salt-out). Keep it off the ledger, in the party's custody; destroying every copy makes the commitment unlinkable to the person (SPEC §3; Digital Code art. 41)",
        "Соль обязательства: 32 случайных байта (64 шестнадцатеричных символа); более короткая отклоняется. Без неё соль генерируется здесь из источника случайности операционной системы и показывается (и сохраняется с --salt-out). Храните её вне реестра, у стороны; уничтожение всех копий делает обязательство несвязываемым с лицом (SPEC §3; Цифровой кодекс, ст. 41)",
    ),
    (
        "Save a generated salt to FILE (64 hex characters, mode 0600, never overwritten)",
        "Сохранить сгенерированную соль в FILE (64 шестнадцатеричных символа, режим 0600, никогда не перезаписывается)",
    ),
    (
        "A precomputed commitment H(salt ‖ IIN/BIN), instead of --iin-bin/--salt",
        "Заранее вычисленное обязательство H(соль ‖ ИИН/БИН) вместо --iin-bin/--salt",
    ),
    (
        "Display name (legal entities only)",
        "Отображаемое имя (только для юридических лиц)",
    ),
    (
        "Account key, optionally with a PKI certificate: `KEY` or `KEY:ISSUER:SERIAL`. Repeat for several",
        "Ключ счёта, по желанию с сертификатом PKI: `KEY` или `KEY:ISSUER:SERIAL`. Повторите для нескольких",
    ),
    (
        "Change a party's status (regulator): `active`, `suspended`, `revoked`",
        "Изменить статус стороны (регулятор): `active`, `suspended`, `revoked`",
    ),
    (
        "New status",
        "Новый статус",
    ),
    (
        "Legal basis",
        "Правовое основание",
    ),
    (
        "Add an account key to a party (the party itself, or a regulator)",
        "Добавить ключ счёта стороне (сама сторона или регулятор)",
    ),
    (
        "The new key",
        "Новый ключ",
    ),
    (
        "PKI certificate `ISSUER:SERIAL` (regulator only)",
        "Сертификат PKI `ISSUER:SERIAL` (только регулятор)",
    ),
    (
        "Revoke an account key. Reasons (Digital Code art. 59 p.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
        "Отозвать ключ счёта. Основания (Цифровой кодекс, ст. 59 п.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
    ),
    (
        "The key to revoke",
        "Отзываемый ключ",
    ),
    (
        "Ground for revocation",
        "Основание отзыва",
    ),
    (
        "Secured tokens: classes, holders, mint, transfer, redeem, freeze, pause, lift, close, restrictions (Law on Informatization art. 33-1 p.2)",
        "Обеспеченные токены: классы, держатели, выпуск, перевод, погашение, заморозка, приостановка, снятие, закрытие, ограничения (Закон об информатизации, ст. 33-1 п.2)",
    ),
    (
        "All token classes: id, symbol, issuer, supply (base units), decimals, …",
        "Все классы токенов: идентификатор, символ, эмитент, объём выпуска (базовые единицы), знаки, …",
    ),
    (
        "Only the classes of this issuer party",
        "Только классы этого эмитента",
    ),
    (
        "One class",
        "Один класс",
    ),
    (
        "Class id",
        "Идентификатор класса",
    ),
    (
        "Holders of a class",
        "Держатели класса",
    ),
    (
        "Create a secured token class (issuer)",
        "Создать класс обеспеченных токенов (эмитент)",
    ),
    (
        "Ticker, 1–12 upper-case letters or digits",
        "Тикер, 1–12 заглавных букв или цифр",
    ),
    (
        "Human name",
        "Название",
    ),
    (
        "Decimal places (0–18)",
        "Число десятичных знаков (0–18)",
    ),
    (
        "Supply cap (display units with --decimals unless --base-units)",
        "Предел выпуска (отображаемые единицы с --decimals, если не --base-units)",
    ),
    (
        "A right the token certifies: `goods:DESCRIPTION` or `services:DESCRIPTION`. Repeat for several",
        "Право, удостоверяемое токеном: `goods:ОПИСАНИЕ` или `services:ОПИСАНИЕ`. Повторите для нескольких",
    ),
    (
        "SHA-256 of the backing document (hex)",
        "SHA-256 обеспечивающего документа (hex)",
    ),
    (
        "Where the backing document is published",
        "Где опубликован обеспечивающий документ",
    ),
    (
        "Redemption terms",
        "Условия погашения",
    ),
    (
        "Issuer mints tokens to an eligible holder",
        "Эмитент выпускает токены допущенному держателю",
    ),
    (
        "Issuer mints tokens to an eligible holder.\n\n`--amount` is in display units (whole tokens; a class with 3 decimals turns `--amount 5` into 5000 base units) unless --base-units.",
        "Эмитент выпускает токены допущенному держателю.\n\n`--amount` — в отображаемых единицах (целые токены; в классе с 3 знаками `--amount 5` — это 5000 базовых единиц), если не указан --base-units.",
    ),
    (
        "Receiving address (64 hex)",
        "Адрес получателя (64 hex)",
    ),
    (
        "Amount: display units of the class (`5` = 5 whole tokens) unless --base-units",
        "Сумма: отображаемые единицы класса (`5` = 5 целых токенов), если не --base-units",
    ),
    (
        "Transfer tokens from the --key account",
        "Перевести токены со счёта --key",
    ),
    (
        "Transfer tokens from the --key account.\n\n`--amount` is in display units (whole tokens; a class with 3 decimals turns `--amount 5` into 5000 base units) unless --base-units.",
        "Перевести токены со счёта --key.\n\n`--amount` — в отображаемых единицах (целые токены; в классе с 3 знаками `--amount 5` — это 5000 базовых единиц), если не указан --base-units.",
    ),
    (
        "Redeem tokens to the issuer, claiming one of the class's rights",
        "Погасить токены у эмитента, заявив одно из прав класса",
    ),
    (
        "Amount (display units unless --base-units)",
        "Сумма (отображаемые единицы, если не --base-units)",
    ),
    (
        "Index of the claimed right in the class's `rights` list",
        "Номер заявленного права в списке `rights` класса",
    ),
    (
        "Freeze a holding, all of it or an amount (issuer or regulator); the receipt names the new `restriction_id`, which `token lift` takes",
        "Заморозить владение, целиком или на сумму (эмитент или регулятор); квитанция называет новый `restriction_id`, который принимает `token lift`",
    ),
    (
        "The holder's address",
        "Адрес держателя",
    ),
    (
        "Amount (display units unless --base-units) [default: the whole holding]",
        "Сумма (отображаемые единицы, если не --base-units) [по умолчанию: всё владение]",
    ),
    (
        "Legal basis (court decision, article…)",
        "Правовое основание (решение суда, статья…)",
    ),
    (
        "Pause a class (issuer or regulator); the receipt names the new `restriction_id`, which `token lift` takes",
        "Приостановить класс (эмитент или регулятор); квитанция называет новый `restriction_id`, который принимает `token lift`",
    ),
    (
        "Legal basis or reason",
        "Правовое основание или причина",
    ),
    (
        "Lift one freeze or pause, named by its restriction id (SPEC §4, Digital Code art. 20 p.4). The issuer lifts its own; a regulator's restriction only a regulator lifts (`tamga regulator lift`)",
        "Снять одну заморозку или приостановку по её идентификатору ограничения (SPEC §4, Цифровой кодекс, ст. 20 п.4). Эмитент снимает свои; ограничение регулятора снимает только регулятор (`tamga regulator lift`)",
    ),
    (
        "The freeze's or pause's restriction id (from its receipt, or `tamga token restrictions CLASS`)",
        "Идентификатор ограничения заморозки или приостановки (из её квитанции или `tamga token restrictions CLASS`)",
    ),
    (
        "Legal basis of the lifting (court decision, article…)",
        "Правовое основание снятия (решение суда, статья…)",
    ),
    (
        "Close a class whose supply is zero (issuer; SPEC §4): a closed class accepts nothing but queries",
        "Закрыть класс с нулевым объёмом выпуска (эмитент; SPEC §4): закрытый класс принимает только запросы",
    ),
    (
        "Class id (its supply must be zero)",
        "Идентификатор класса (его объём выпуска должен быть нулевым)",
    ),
    (
        "Legal basis (a regulator) or reason (the issuer)",
        "Правовое основание (регулятор) или причина (эмитент)",
    ),
    (
        "The freezes and pauses of a class, standing or lifted (SPEC §4), or only one holder's",
        "Заморозки и приостановки класса, действующие или снятые (SPEC §4), или только одного держателя",
    ),
    (
        "Only this holder's freezes (and the class's pauses are left out)",
        "Только заморозки этого держателя (приостановки класса не показываются)",
    ),
    (
        "Right-certifying records: show, list, issue, transfer, encumber, release, terminate (Digital Code art. 21 p.2(2))",
        "Правоудостоверяющие записи: просмотр, список, выдача, передача, обременение, освобождение, прекращение (Цифровой кодекс, ст. 21 п.2(2))",
    ),
    (
        "Record id to show (with history)",
        "Идентификатор записи для просмотра (с историей)",
    ),
    (
        "A record with its encumbrances and full history",
        "Запись с её обременениями и полной историей",
    ),
    (
        "Record id",
        "Идентификатор записи",
    ),
    (
        "The records an account holds [default: the --key account]",
        "Записи, которыми владеет счёт [по умолчанию: счёт --key]",
    ),
    (
        "Holder's address",
        "Адрес держателя",
    ),
    (
        "Certify a right to a holder (issuer or regulator); the receipt names the new `record_id`",
        "Удостоверить право держателя (эмитент или регулятор); квитанция называет новый `record_id`",
    ),
    (
        "Object kind: thing, goods, raw-resource, claim, digital-object, other",
        "Вид объекта: thing, goods, raw-resource, claim, digital-object, other",
    ),
    (
        "Description of the object",
        "Описание объекта",
    ),
    (
        "External reference (cadastre number, contract number…)",
        "Внешняя ссылка (кадастровый номер, номер договора…)",
    ),
    (
        "Hash of the underlying document (hex)",
        "Хеш базового документа (hex)",
    ),
    (
        "Transfer a record to another account (holder)",
        "Передать запись другому счёту (держатель)",
    ),
    (
        "New holder's address",
        "Адрес нового держателя",
    ),
    (
        "Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`",
        "Обременить запись (держатель): залог, удержание или иное; квитанция называет новый `encumbrance_id`",
    ),
    (
        "Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`.\n\nAn arrest is a regulator's act: `tamga regulator arrest`.",
        "Обременить запись (держатель): залог, удержание или иное; квитанция называет новый `encumbrance_id`.\n\nАрест — акт регулятора: `tamga regulator arrest`.",
    ),
    (
        "pledge, lien, other (arrest: regulator)",
        "pledge (залог), lien (удержание), other (иное) (arrest: регулятор)",
    ),
    (
        "Beneficiary's address (its party becomes the beneficiary)",
        "Адрес выгодоприобретателя (его сторона становится выгодоприобретателем)",
    ),
    (
        "Legal basis (the agreement) [default: \"<kind> granted by the holder\"; required for an arrest]",
        "Правовое основание (соглашение) [по умолчанию: \"<kind> granted by the holder\"; обязательно для ареста]",
    ),
    (
        "Release an encumbrance (beneficiary; a regulator for an arrest)",
        "Снять обременение (выгодоприобретатель; для ареста — регулятор)",
    ),
    (
        "Encumbrance id",
        "Идентификатор обременения",
    ),
    (
        "Terminate a record (certifier or holder). Reasons: redeemed, expired, object-lost, court-decision, other",
        "Прекратить запись (удостоверитель или держатель). Основания: redeemed, expired, object-lost, court-decision, other",
    ),
    (
        "Ground (Digital Code art. 44 p.4)",
        "Основание (Цифровой кодекс, ст. 44 п.4)",
    ),
    (
        "Escrows: list, show, publish-terms, terms, create, release, refund, dispute, resolve (Digital Code art. 67)",
        "Эскроу: список, просмотр, публикация условий, условия, создание, исполнение, возврат, спор, разрешение (Цифровой кодекс, ст. 67)",
    ),
    (
        "Escrow id to show",
        "Идентификатор эскроу для просмотра",
    ),
    (
        "All escrows",
        "Все эскроу",
    ),
    (
        "Only escrows where this party is payer, payee or arbiter",
        "Только эскроу, где эта сторона — плательщик, получатель или арбитр",
    ),
    (
        "One escrow",
        "Одно эскроу",
    ),
    (
        "Escrow id",
        "Идентификатор эскроу",
    ),
    (
        "Lock tokens (`--class` and `--amount`) or a record (`--record`) for a payee (payer)",
        "Заблокировать токены (`--class` и `--amount`) или запись (`--record`) для получателя (плательщик)",
    ),
    (
        "Payee account",
        "Счёт получателя",
    ),
    (
        "Arbiter account (its party decides disputes)",
        "Счёт арбитра (его сторона разрешает споры)",
    ),
    (
        "Class of the locked tokens",
        "Класс блокируемых токенов",
    ),
    (
        "Amount of tokens (display units unless --base-units)",
        "Сумма токенов (отображаемые единицы, если не --base-units)",
    ),
    (
        "The locked record",
        "Блокируемая запись",
    ),
    (
        "SHA-256 of the human-readable terms (hex), published on the chain first (`escrow publish-terms`; SPEC §7)",
        "SHA-256 текста условий (hex), предварительно опубликованного в цепочке (`escrow publish-terms`; SPEC §7)",
    ),
    (
        "The terms' text file instead of --terms-hash: its SHA-256 is named (the same text must be published with `escrow publish-terms`)",
        "Файл с текстом условий вместо --terms-hash: называется его SHA-256 (тот же текст должен быть опубликован через `escrow publish-terms`)",
    ),
    (
        "Height after which the payer may be refunded",
        "Высота, после которой плательщику возможен возврат",
    ),
    (
        "Publish the human-readable terms of escrows on the chain, stored under their SHA-256, which `escrow create --terms-hash` names (SPEC §7, Digital Code art. 67). At most 8 KiB of UTF-8 text",
        "Опубликовать в цепочке текст условий эскроу, хранимый под его SHA-256, который называет `escrow create --terms-hash` (SPEC §7, Цифровой кодекс, ст. 67). Не более 8 КиБ текста UTF-8",
    ),
    (
        "The terms' text file (UTF-8, at most 8192 bytes)",
        "Файл с текстом условий (UTF-8, не более 8192 байт)",
    ),
    (
        "Print the terms published under HASH, checked against the hash (a mismatch is an error); with the global --out FILE, write them to FILE",
        "Напечатать условия, опубликованные под HASH, сверенные с хешем (несовпадение — ошибка); с глобальным --out FILE записать их в FILE",
    ),
    (
        "SHA-256 of the terms (an escrow's `terms_hash`)",
        "SHA-256 условий (`terms_hash` эскроу)",
    ),
    (
        "Confirm: the asset goes to the payee (payer)",
        "Подтвердить: актив переходит получателю (плательщик)",
    ),
    (
        "Take the asset back after the deadline (payer)",
        "Вернуть актив после срока (плательщик)",
    ),
    (
        "Dispute (payer or payee)",
        "Спор (плательщик или получатель)",
    ),
    (
        "Why",
        "Причина",
    ),
    (
        "Decide a dispute (arbiter)",
        "Разрешить спор (арбитр)",
    ),
    (
        "Who gets the asset",
        "Кто получает актив",
    ),
    (
        "The decision's reasoning",
        "Обоснование решения",
    ),
    (
        "Notifications to the regulator: mining and digital-asset activity (Law on Informatization art. 33-1 p.9 and p.10)",
        "Уведомления регулятору: цифровой майнинг и деятельность с цифровыми активами (Закон об информатизации, ст. 33-1 п.9 и п.10)",
    ),
    (
        "Digital mining notifications (Law art. 33-1 p.9): start, change, terminate, list, show, totals",
        "Уведомления о цифровом майнинге (Закон, ст. 33-1 п.9): начало, изменение, прекращение, список, просмотр, итоги",
    ),
    (
        "Notify the start of mining at a site (miner); the receipt names the new `notification_id`",
        "Уведомить о начале майнинга на площадке (майнер); квитанция называет новый `notification_id`",
    ),
    (
        "Region of the site: its code (pavlodar, almaty-city, east-kazakhstan) or its name in Kazakh, Russian or English (\"Павлодарская область\")",
        "Регион площадки: его код (pavlodar, almaty-city, east-kazakhstan) или название на казахском, русском или английском (\"Павлодарская область\")",
    ),
    (
        "Site address",
        "Адрес площадки",
    ),
    (
        "Installed power capacity, kW",
        "Установленная мощность, кВт",
    ),
    (
        "Equipment units",
        "Единицы оборудования",
    ),
    (
        "Hashrate, TH/s",
        "Хешрейт, TH/s",
    ),
    (
        "Energy source: grid, own-generation, renewable, associated-gas, other",
        "Источник энергии: grid, own-generation, renewable, associated-gas, other",
    ),
    (
        "Mining pool",
        "Майнинговый пул",
    ),
    (
        "Start date (YYYY-MM-DD)",
        "Дата начала (ГГГГ-ММ-ДД)",
    ),
    (
        "Notify a change of a site; fields not given keep the previous notification's values",
        "Уведомить об изменении площадки; неуказанные поля сохраняют значения предыдущего уведомления",
    ),
    (
        "The notification this one follows (the miner's latest of the site)",
        "Уведомление, за которым следует это (последнее уведомление майнера по площадке)",
    ),
    (
        "Region of the site",
        "Регион площадки",
    ),
    (
        "Date of the change or termination (YYYY-MM-DD)",
        "Дата изменения или прекращения (ГГГГ-ММ-ДД)",
    ),
    (
        "Notify the termination of a site; fields not given keep the previous notification's values",
        "Уведомить о прекращении площадки; неуказанные поля сохраняют значения предыдущего уведомления",
    ),
    (
        "List notifications (every page unless --limit), filtered",
        "Список уведомлений (все страницы, если не --limit), с фильтрами",
    ),
    (
        "Miner party",
        "Сторона-майнер",
    ),
    (
        "submitted, accepted or rejected",
        "submitted (подано), accepted (принято) или rejected (отклонено)",
    ),
    (
        "Region: its code (pavlodar, almaty-city) or its name in Kazakh, Russian or English (\"Павлодар облысы\", \"Павлодарская область\", \"Pavlodar Region\")",
        "Регион: его код (pavlodar, almaty-city) или название на казахском, русском или английском (\"Павлодар облысы\", \"Павлодарская область\", \"Pavlodar Region\")",
    ),
    (
        "start, change or termination",
        "start (начало), change (изменение) или termination (прекращение)",
    ),
    (
        "Start date on or after (YYYY-MM-DD)",
        "Дата начала не ранее (ГГГГ-ММ-ДД)",
    ),
    (
        "Start date on or before (YYYY-MM-DD)",
        "Дата начала не позднее (ГГГГ-ММ-ДД)",
    ),
    (
        "Page cursor: ids after this one",
        "Курсор страницы: идентификаторы после этого",
    ),
    (
        "Page size (1–1000, default 100)",
        "Размер страницы (1–1000, по умолчанию 100)",
    ),
    (
        "One notification",
        "Одно уведомление",
    ),
    (
        "Notification id",
        "Идентификатор уведомления",
    ),
    (
        "Installed capacity and units of active sites by region",
        "Установленная мощность и единицы действующих площадок по регионам",
    ),
    (
        "Digital-asset activity notifications: start, terminate, list",
        "Уведомления о деятельности с цифровыми активами: начало, прекращение, список",
    ),
    (
        "Notify the start of an activity: issuance, trading-organisation, exchange",
        "Уведомить о начале деятельности: issuance (выпуск), trading-organisation (организация торгов), exchange (обмен)",
    ),
    (
        "Activity",
        "Деятельность",
    ),
    (
        "Effective date (YYYY-MM-DD)",
        "Дата вступления в силу (ГГГГ-ММ-ДД)",
    ),
    (
        "Notify the end of an activity",
        "Уведомить о прекращении деятельности",
    ),
    (
        "List notifications",
        "Список уведомлений",
    ),
    (
        "Only this party's",
        "Только этой стороны",
    ),
    (
        "Regulator operations: review notifications, parties and keys, freezes, pauses and their lifting, closing classes, forced transfers, arrests, validators, parameters",
        "Операции регулятора: рассмотрение уведомлений, стороны и ключи, заморозки, приостановки и их снятие, закрытие классов, принудительные переводы, аресты, валидаторы, параметры",
    ),
    (
        "Accept a notification (`mining` scope; with --activity, `assets` scope)",
        "Принять уведомление (область `mining`; с --activity — область `assets`)",
    ),
    (
        "Notification id (a mining notification unless --activity)",
        "Идентификатор уведомления (уведомления о майнинге, если не --activity)",
    ),
    (
        "The id is a digital-asset activity notification's (`assets` scope)",
        "Идентификатор относится к уведомлению о деятельности с цифровыми активами (область `assets`)",
    ),
    (
        "Reject a notification, with a reason",
        "Отклонить уведомление с указанием причины",
    ),
    (
        "Reason",
        "Причина",
    ),
    (
        "Register a party with its accounts; the receipt names the new `party_id`",
        "Зарегистрировать сторону с её счетами; квитанция называет новый `party_id`",
    ),
    (
        "Change a party's status: active, suspended, revoked",
        "Изменить статус стороны: active, suspended, revoked",
    ),
    (
        "Add an account key to a party, optionally with a PKI certificate",
        "Добавить ключ счёта стороне, по желанию с сертификатом PKI",
    ),
    (
        "PKI certificate `ISSUER:SERIAL`",
        "Сертификат PKI `ISSUER:SERIAL`",
    ),
    (
        "Revoke any account key. Reasons (Digital Code art. 59 p.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
        "Отозвать любой ключ счёта. Основания (Цифровой кодекс, ст. 59 п.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
    ),
    (
        "Freeze a holding, all of it or an amount; the receipt names the new `restriction_id`, which `regulator lift` takes",
        "Заморозить владение, целиком или на сумму; квитанция называет новый `restriction_id`, который принимает `regulator lift`",
    ),
    (
        "Pause a class; the receipt names the new `restriction_id`, which `regulator lift` takes",
        "Приостановить класс; квитанция называет новый `restriction_id`, который принимает `regulator lift`",
    ),
    (
        "Lift any freeze or pause, the issuer's or a regulator's, named by its restriction id (SPEC §4, Digital Code art. 20 p.4)",
        "Снять любую заморозку или приостановку, эмитента или регулятора, по её идентификатору ограничения (SPEC §4, Цифровой кодекс, ст. 20 п.4)",
    ),
    (
        "Close a class whose supply is zero, with a legal basis (SPEC §4)",
        "Закрыть класс с нулевым объёмом выпуска, с правовым основанием (SPEC §4)",
    ),
    (
        "Move tokens between accounts with a legal basis",
        "Перевести токены между счетами с правовым основанием",
    ),
    (
        "Source address",
        "Адрес источника",
    ),
    (
        "Receiving address",
        "Адрес получателя",
    ),
    (
        "Move all holdings and records of a lost key to another account of the same party",
        "Перенести все владения и записи утраченного ключа на другой счёт той же стороны",
    ),
    (
        "The lost account",
        "Утраченный счёт",
    ),
    (
        "The party's other account",
        "Другой счёт стороны",
    ),
    (
        "Arrest a record (an encumbrance only a regulator releases)",
        "Арестовать запись (обременение, которое снимает только регулятор)",
    ),
    (
        "Beneficiary's address [default: the signing --key]",
        "Адрес выгодоприобретателя [по умолчанию: подписывающий --key]",
    ),
    (
        "Legal basis (court decision…)",
        "Правовое основание (решение суда…)",
    ),
    (
        "Release an arrest",
        "Снять арест",
    ),
    (
        "The arrest's encumbrance id",
        "Идентификатор обременения-ареста",
    ),
    (
        "Change the validator set, effective `validator_change_delay` blocks after commit",
        "Изменить набор валидаторов; вступает в силу через `validator_change_delay` блоков после записи",
    ),
    (
        "Add a validator (or change its power)",
        "Добавить валидатора (или изменить его мощность)",
    ),
    (
        "The validator's consensus key",
        "Ключ консенсуса валидатора",
    ),
    (
        "Voting power (at least 1)",
        "Мощность голоса (не менее 1)",
    ),
    (
        "The operator party",
        "Сторона-оператор",
    ),
    (
        "Remove a validator",
        "Удалить валидатора",
    ),
    (
        "Set a chain parameter: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
        "Установить параметр цепочки: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
    ),
    (
        "Recorded equivocation evidence",
        "Записанные доказательства двойного голосования",
    ),
    (
        "Benchmark a running devnet: throughput, finality latency, CPU and memory",
        "Нагрузочное тестирование запущенной devnet: пропускная способность, задержка финальности, ЦП и память",
    ),
    (
        "The devnet home: holds devnet.json, keys/ and the nodes' homes",
        "Домашний каталог devnet: содержит devnet.json, keys/ и домашние каталоги узлов",
    ),
    (
        "Seconds of load",
        "Секунды нагрузки",
    ),
    (
        "Target transactions per second [default: as fast as the nodes accept]",
        "Целевое число транзакций в секунду [по умолчанию: так быстро, как принимают узлы]",
    ),
    (
        "Workload mix as NAME=WEIGHT,… with names transfers (token transfers between users), records (transfers of records between users; the records are issued by the issuer before the clock starts) and notifications (mining and activity start notifications alternately). `--mix` alone is the mixed workload `transfers=80,records=10,notifications=10`; without `--mix`, transfers only",
        "Смесь нагрузки в виде NAME=WEIGHT,… с именами transfers (переводы токенов между пользователями), records (передачи записей между пользователями; записи выдаёт эмитент до начала отсчёта времени) и notifications (поочерёдно уведомления о начале майнинга и о начале деятельности). `--mix` без значения — смешанная нагрузка `transfers=80,records=10,notifications=10`; без `--mix` — только переводы",
    ),
    (
        "HTTP connections that submit, spread across the nodes (each one batch request in flight at a time; a sender's transactions always use the same one) [default: 2 per node]",
        "HTTP-соединения для отправки, распределённые по узлам (в каждом одновременно один пакетный запрос; транзакции одного отправителя всегда идут через одно и то же соединение) [по умолчанию: 2 на узел]",
    ),
    (
        "Seconds to wait after the load for the admitted transactions' receipts",
        "Сколько секунд после нагрузки ждать квитанций принятых транзакций",
    ),
    (
        "Most transactions per submission request (1–1000)",
        "Наибольшее число транзакций в одном запросе отправки (1–1000)",
    ),
    (
        "Most user accounts to sign with [default: every funded user]",
        "Наибольшее число пользовательских счетов для подписи [по умолчанию: все пополненные]",
    ),
    (
        "Without --rate: transactions to pre-sign; the load ends early when all are sent [default: 20,000 per second of --duration]",
        "Без --rate: сколько транзакций подписать заранее; нагрузка заканчивается раньше, когда все отправлены [по умолчанию: 20 000 на секунду --duration]",
    ),
    (
        "Issuer exports (Law on Informatization art. 33 p.4; format in docs/export-format.md): `export issuer ID --out FILE` saves everything an issuer issued with proofs; `export verify FILE --genesis FILE` checks a saved export offline",
        "Выгрузки эмитента (Закон об информатизации, ст. 33 п.4; формат в docs/export-format.md): `export issuer ID --out FILE` сохраняет всё, что выпустил эмитент, с доказательствами; `export verify FILE --genesis FILE` проверяет сохранённую выгрузку офлайн",
    ),
    (
        "Stream every class, holding, record, encumbrance and history entry of an issuer, with proofs against one certified height, into --out FILE (GET /v1/issuers/{id}/export); verified before it is kept when --genesis is given (a file that fails is kept as FILE.invalid)",
        "Выгрузить все классы, владения, записи, обременения и записи истории эмитента с доказательствами на одной удостоверенной высоте в --out FILE (GET /v1/issuers/{id}/export); при --genesis проверяется перед сохранением (непрошедший проверку файл сохраняется как FILE.invalid)",
    ),
    (
        "The issuer's party id",
        "Идентификатор стороны-эмитента",
    ),
    (
        "The network's genesis.json, to verify the export after download",
        "genesis.json сети, чтобы проверить выгрузку после загрузки",
    ),
    (
        "Seconds the whole download may take",
        "Сколько секунд может занять вся загрузка",
    ),
    (
        "Verify a saved export offline against a genesis: every header from the genesis, every state proof, every history transaction",
        "Проверить сохранённую выгрузку офлайн по генезису: каждый заголовок от генезиса, каждое доказательство состояния, каждую транзакцию истории",
    ),
    (
        "The export file (JSON Lines)",
        "Файл выгрузки (JSON Lines)",
    ),
    (
        "Follow an account's event feed: every freeze, forced transfer, recovery, encumbrance, arbiter's decision, pause or validator-set exit that concerns it (Law on Informatization art. 36 p.6)",
        "Следить за лентой событий счёта: каждая заморозка, принудительный перевод, восстановление, обременение, решение арбитра, приостановление или выход из состава валидаторов, касающиеся его (Закон «Об информатизации», ст. 36 п.6)",
    ),
    (
        "The account to follow [default: the --key account]. Where the node's reads are closed, another account's feed is served to a regulator only",
        "Счёт, за которым следить [по умолчанию: счёт ключа --key]. Если чтение на узле закрыто, ленту чужого счёта получает только регулятор",
    ),
    (
        "Replay from this height before following live [default: from now]",
        "Воспроизвести события с этой высоты, затем следить в реальном времени [по умолчанию: с текущего момента]",
    ),
    (
        "Only these receipt event kinds, comma-separated (e.g. frozen,forced_transfer)",
        "Только эти виды событий квитанций, через запятую (например, frozen,forced_transfer)",
    ),
    (
        "Stop after this many events [default: follow until interrupted]",
        "Остановиться после стольких событий [по умолчанию: следить до прерывания]",
    ),
    (
        "Seconds without a byte from the node (the node sends a keep-alive every 15 s) before the connection is dropped and opened again",
        "Секунд без единого байта от узла (узел шлёт keep-alive каждые 15 с), после которых соединение разрывается и открывается заново",
    ),
];
