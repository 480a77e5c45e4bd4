//! Kazakh (Cyrillic alphabet) messages and help. Same keys and placeholders as `en.rs`;
//! the help table is keyed by the English text of the clap derive
//! ([`super::help`]). Tests keep both whole.

/// Message key → template.
pub const MESSAGES: &[(&str, &str)] = &[
    ("help.usage", "Қолданылуы:"),
    ("help.commands", "Командалар"),
    ("help.arguments", "Аргументтер"),
    ("help.options", "Параметрлер"),
    ("error.prefix", "қате"),
    ("runtime.failed", "қате: асинхронды орындау ортасын іске қосу мүмкін болмады: {0}"),
    ("key.needed", "бұл командаға кілт қажет: --key FILE көрсетіңіз немесе TAMGA_KEY орнатыңыз"),
    ("account.needed", "шот мекенжайын немесе --key көрсетіңіз"),
    ("export.key_needed", "эмитент экспортына --key қажет: эмитент тараптың немесе реттеушінің шот кілті"),
    ("passphrase.prompt", "{0} үшін құпиясөз: "),
    ("fetch.decimals", "{0} класының таңбалар санын алу"),
    ("fetch.mining", "{0} майнинг хабарламасын алу"),
    ("fetch.chain_id", "тізбек идентификаторын алу (немесе --chain-id көрсетіңіз)"),
    ("fetch.nonce", "шоттың келесі nonce-ін алу (немесе --nonce көрсетіңіз)"),
    ("tx.hash_differs", "түйін транзакцияны {0} деп атайды, файл — {1}"),
    ("tx.saved", "қол қойылған транзакция {0} файлына сақталды"),
    ("tx.refused", "түйін транзакцияны қабылдамады"),
    ("tx.waiting", "{0} жазылуын күту"),
    ("tx.failed", "қате: транзакция орындалмады: {0}: {1}"),
    ("tx.not_found", "{0} транзакциясы {1} түйінінде жазылмаған және күтуде емес"),
    ("tx.pending", "{0} транзакциясы әлі жазылмаған"),
    ("tx.status_at", "{0}: {1}, биіктігі {2} ({3})"),
    ("usage.nothing", "{0} үшін орындайтын ештеңе жоқ: идентификаторды немесе ішкі команданы көрсетіңіз (--help қараңыз)"),
    ("file.create_failed", "{0} жасау: {1}"),
    ("file.write_failed", "{0} жазу: {1}"),
    ("sign.standing", "Назар аударыңыз: Tamga қолтаңбасы — осы транзакцияның тізілімдегі цифрлық растауы; ол электрондық құжаттар туралы заңнама мағынасындағы электрондық цифрлық қолтаңба (ЭЦҚ) емес (Цифрлық кодекс, 47-бап 4-т., 49-бап)."),
    ("sign.cert", "Қол қоюшы шоттың сертификаты: беруші {0}, сериялық нөмірі {1}"),
    ("sign.no_cert", "Қол қоюшы шоттың сертификаты: тіркелмеген"),
    ("sign.cert_unknown", "Қол қоюшы шоттың сертификаты: мұнда белгісіз"),
    ("sign.confirm", "Қол қойып, жіберу керек пе? [и/Ж] "),
    ("sign.declined", "қол қойылмады: растау берілмеді"),
    ("sign.no_terminal", "растау қажет, бірақ stdin терминал емес: сұрамай қол қою үшін --yes көрсетіңіз"),
    ("register.identifier_missing", "--iin-bin (--salt-пен немесе онсыз) немесе --id-commitment көрсетіңіз"),
    ("salt.missing", "--salt: тұз берілмеген және жасалмаған"),
    ("salt.not_hex", "--salt: 64 он алтылық таңба (32 кездейсоқ байт) күтіледі, hex емес мән алынды: {0}"),
    ("salt.length", "--salt: {0} байт ({1} он алтылық таңба) кездейсоқ дерек күтіледі, {2} байт алынды"),
    ("salt.random_failed", "--salt: операциялық жүйенің кездейсоқтық көзі істемеді: {0}"),
    ("salt.generated", "Идентификатор тұзы жасалды (32 кездейсоқ байт): {0}\nОны тізілімнен тыс, тараптың сақтауында ұстаңыз: ол арқылы міндеттемені ЖСН/БСН-мен салыстыруға болады; міндеттемені тұлғамен байланыстыру мүмкін болмауы үшін барлық көшірмелерін жойыңыз (SPEC §3)."),
    ("salt.saved", "тұз {0} файлына сақталды"),
    ("ident.iin", "ЖСН (жеке сәйкестендіру нөмірі)"),
    ("ident.bin", "БСН (бизнес-сәйкестендіру нөмірі)"),
    ("ident.party.individual", "жеке тұлға"),
    ("ident.party.legal_entity", "заңды тұлға"),
    ("ident.format", "ЖСН/БСН дәл 12 цифрдан тұруы тиіс, \"{0}\" алынды"),
    ("ident.check_digit", "ЖСН/БСН {0}: бақылау цифры {2}, {1} күтіледі"),
    ("ident.unassignable", "--iin-bin: {0} дұрыс бақылау цифры бола алмайды"),
    ("ident.structure", "--iin-bin: {0}: {1} цифрлары {2}, {3} күтіледі"),
    ("ident.expected.3-4", "ай, 01-12"),
    ("ident.expected.5-6", "туған күн, 01-31 (ЖСН)"),
    ("ident.expected.5", "0-3 (ЖСН-дағы туған күн) немесе 4-6 (БСН-дағы ұйым түрі)"),
    ("ident.expected.7", "ғасыр мен жыныс цифры, 1-6 (ЖСН)"),
    ("ident.kind_mismatch", "--iin-bin: {0} құрылымы бойынша — {1} (5-цифры {2}), бірақ --kind — {3}: {4} күтіледі"),
    ("region.unknown", "белгісіз өңір \"{0}\": өңір коды немесе оның қазақ, орыс не ағылшын тіліндегі атауы күтіледі; кодтар: {1}"),
    ("region.ambiguous", "\"{0}\" өңірі бір мәнді емес: ол {1}; нақтылаңыз (мысалы, \"Алматы қаласы\" немесе \"Алматы облысы\")"),
    ("passphrase.new", "Жаңа құпиясөз: "),
    ("passphrase.repeat", "Құпиясөзді қайталаңыз: "),
    ("passphrase.differ", "құпиясөздер сәйкес келмейді"),
    ("passphrase.empty", "құпиясөз бос"),
    ("passphrase.none", "құпиясөз жоқ: {0} орнатыңыз, --passphrase-file FILE көрсетіңіз немесе сұралуы үшін терминалда іске қосыңыз"),
    ("passphrase.needed", "шифрланған кілт файлына құпиясөз қажет: {0} орнатыңыз, --passphrase-file FILE көрсетіңіз, сұралуы үшін терминалда іске қосыңыз немесе шифрланбаған әзірлеу кілті үшін --plain көрсетіңіз"),
    ("keys.seed_prompt", "Seed (64 он алтылық таңба): "),
    ("keys.none", "{0} ішінде кілт файлдары жоқ"),
    ("verify.valid", "ЖАРАМДЫ түбіртек пакеті"),
    ("verify.invalid", "ЖАРАМСЫЗ: {0}"),
    ("verify.transaction", "транзакция:   {0}\n"),
    ("verify.chain", "тізбек:       {0}\n"),
    ("verify.signed_by", "қол қойған:   шот {0} (қолтаңба дұрыс)\n"),
    ("verify.party", "тарап:        {0}\n"),
    ("verify.party.proof", "тарап {0} (блоктың күй түбірі бойынша дәлелденді; шот мәртебесі {1})"),
    ("verify.party.genesis", "тарап {0} (генезисте көрсетілген)"),
    ("verify.party.no_account", "жоқ: күй қол қоюшының шоты болмағанын дәлелдейді (белгісіз қол қоюшы)"),
    ("verify.party.unknown", "тек генезис файлы бойынша анықтау мүмкін емес"),
    ("verify.at_genesis", "жазылды:     генезисте (биіктік 0, транзакция {0}), уақыт {1} мс\n"),
    ("verify.committed", "жазылды:     биіктік {0}, орны {1}, блок уақыты дәуір басынан {2} мс\n"),
    ("verify.block", "блок:         {0}\n"),
    ("verify.certified", "куәландырды:  қуаты {2}-ден {1} болатын {0} валидатор (генезистен бастап валидаторлар жиынының {3} ауысуы тексерілді)\n"),
    ("verify.certifier", "              {0} (оператор тарап {1}, қуаты {2})\n"),
    ("verify.success", "сәтті"),
    ("verify.failed", "орындалмады: {0}: {1}"),
    ("verify.outcome", "нәтиже:       {0} (экспорттаған түйін жазғандай; сертификатпен қамтылмайды)\n"),
    ("verify.what", "не істейді:"),
    // Hardware tokens (--pkcs11-*).
    ("signer.both", "--key және --pkcs11-module: бір қол қоюшы күтіледі, екеуі де берілді (--key {0}, мүмкін TAMGA_KEY-ден, және токен); не --key FILE, не --pkcs11-* параметрлерін көрсетіңіз"),
    ("pkcs11.module_needed", "--pkcs11-module: токеннің PKCS#11 кітапханасының жолы күтіледі, берілмеді (басқа --pkcs11-* параметрлері берілді)"),
    ("pkcs11.key_needed", "--pkcs11-key: токендегі кілттің белгісі күтіледі, берілмеді"),
    ("pkcs11.token_needed", "--pkcs11-token немесе --pkcs11-slot: кілтті сақтайтын токен күтіледі, ешқайсысы берілмеді"),
    ("pkcs11.pin_prompt", "{0} токенінің пайдаланушы PIN-коды: "),
    ("pkcs11.pin_needed", "токеннің пайдаланушы PIN-коды: --pkcs11-pin-file FILE немесе {0} күтіледі, ешқайсысы берілмеді (сұрайтын терминал да жоқ)"),
    ("sign.token_signed", "токенде қол қойылды: tx_hash {0} (қолтаңба токеннің ашық кілтімен тексерілді)"),
];

/// English help text → translation.
pub const HELP: &[(&str, &str)] = &[
    (
        "Tamga command-line client: keys, transactions for every ledger operation, registries and chain queries, over a node's HTTP API",
        "Tamga командалық жол клиенті: кілттер, тізілімнің әр операциясына транзакциялар, тізілімдер және түйіннің HTTP API арқылы тізбек сұраулары",
    ),
    (
        "Tamga command-line client: keys, transactions for every ledger operation, registries and chain queries, over a node's HTTP API.\n\nTransaction commands show what will be signed (operation, payload, signer, nonce, chain id) on stderr, ask for confirmation (`--yes` skips), submit, wait for the receipt and print it; `--json` prints the receipt as one JSON object (`tx_hash`, `height`, `status`, `events`, and the ids the transaction created: `record_id`, `notification_id`, `class_id`, `escrow_id`, `encumbrance_id`, `party_id`, `restriction_id`).\n\nAddresses (ADDRESS, KEY) are account public keys, 64 hex characters, as `tamga keys show` prints them. Token amounts are in the class's display units unless `--base-units` (see `tamga token mint --help`).\n\nExit status: 0 success; 1 error (bad key file, unreachable node, …); 2 usage error; 3 the transaction committed with a failed receipt; 4 the node refused the request (a transaction's admission error, an unknown id); 5 no receipt within --timeout (the transaction may still commit). On an error `--json` prints `{\"code\", \"message\", …}` on stdout, text mode prints `error: …` on stderr.",
        "Tamga командалық жол клиенті: кілттер, тізілімнің әр операциясына транзакциялар, тізілімдер және түйіннің HTTP API арқылы тізбек сұраулары.\n\nТранзакция командалары не қол қойылатынын (операция, мазмұны, қол қоюшы, nonce, тізбек идентификаторы) stderr-ге көрсетеді, растауды сұрайды (`--yes` өткізіп жібереді), жібереді, түбіртекті күтеді және оны басып шығарады; `--json` түбіртекті бір JSON объектісі ретінде басып шығарады (`tx_hash`, `height`, `status`, `events` және транзакция жасаған идентификаторлар: `record_id`, `notification_id`, `class_id`, `escrow_id`, `encumbrance_id`, `party_id`, `restriction_id`).\n\nМекенжайлар (ADDRESS, KEY) — шоттардың ашық кілттері, 64 он алтылық таңба, `tamga keys show` басып шығарғандай. Токен сомалары `--base-units` берілмесе, класстың көрсетілетін бірліктерінде (`tamga token mint --help` қараңыз).\n\nАяқталу коды: 0 сәтті; 1 қате (кілт файлы жарамсыз, түйін қолжетімсіз, …); 2 пайдалану қатесі; 3 транзакция сәтсіз түбіртекпен жазылды; 4 түйін сұрауды қабылдамады (транзакцияны қабылдау қатесі, белгісіз идентификатор); 5 --timeout ішінде түбіртек жоқ (транзакция әлі жазылуы мүмкін). Қате кезінде `--json` stdout-қа `{\"code\", \"message\", …}` басып шығарады, мәтіндік режим stderr-ге `қате: …` басып шығарады.",
    ),
    (
        "Base URL of the node's HTTP API",
        "Түйіннің HTTP API базалық URL-і",
    ),
    (
        "Signing key file: plain (64 hex characters of an ed25519 seed, as a devnet's `keys/*.key`) or encrypted (`tamga keys new`; passphrase from TAMGA_PASSPHRASE, --passphrase-file or a prompt on the terminal)",
        "Қол қою кілтінің файлы: ашық (ed25519 seed-інің 64 он алтылық таңбасы, devnet-тің `keys/*.key` сияқты) немесе шифрланған (`tamga keys new`; құпиясөз TAMGA_PASSPHRASE, --passphrase-file немесе терминалдағы сұрау арқылы)",
    ),
    (
        "File whose first line is the passphrase of an encrypted key file",
        "Бірінші жолы шифрланған кілт файлының құпиясөзі болатын файл",
    ),
    (
        "PKCS#11 module of a hardware token (its vendor's library; SoftHSM2's `libsofthsm2.so` for tests): sign with an Ed25519 key on the token instead of --key. Needs --pkcs11-key and --pkcs11-token or --pkcs11-slot",
        "Аппараттық токеннің PKCS#11 модулі (өндірушісінің кітапханасы; сынақтар үшін SoftHSM2-нің `libsofthsm2.so`): --key орнына токендегі Ed25519 кілтімен қол қою. --pkcs11-key және --pkcs11-token немесе --pkcs11-slot қажет",
    ),
    (
        "Label (CKA_LABEL) of the Ed25519 key pair on the token",
        "Токендегі Ed25519 кілттер жұбының белгісі (CKA_LABEL)",
    ),
    (
        "Label of the token that holds the key",
        "Кілтті сақтайтын токеннің белгісі",
    ),
    (
        "Slot id of the token that holds the key (instead of --pkcs11-token)",
        "Кілтті сақтайтын токеннің слот нөмірі (--pkcs11-token орнына)",
    ),
    (
        "File (mode 0600) whose first line is the token's user PIN [default: TAMGA_PKCS11_PIN, else a prompt on the terminal]",
        "Бірінші жолы токеннің пайдаланушы PIN-коды болатын файл (0600 рұқсаты) [әдепкі: TAMGA_PKCS11_PIN, әйтпесе терминалда сұрау]",
    ),
    (
        "CA certificate (PEM) to trust for an https:// node instead of the system's store (a devnet's `DIR/tls/ca.pem`, written by `tamgad devnet --tls`)",
        "https:// түйіні үшін жүйелік қойманың орнына сенім білдірілетін КО сертификаты (PEM) (`tamgad devnet --tls` жазған devnet-тің `DIR/tls/ca.pem` файлы)",
    ),
    (
        "Client certificate (PEM) presented to a node that asks for one (`api.tls.client_ca_file`); needs --client-key",
        "Оны талап ететін түйінге ұсынылатын клиенттік сертификат (PEM) (`api.tls.client_ca_file`); --client-key те қажет",
    ),
    (
        "Private key (PEM) of --client-cert",
        "--client-cert сертификатының жабық кілті (PEM)",
    ),
    (
        "Chain id to sign for [default: the node's, from /v1/status]",
        "Қол қойылатын тізбек идентификаторы [әдепкі: түйіндікі, /v1/status-тан]",
    ),
    (
        "Print one JSON document on stdout (same as `--output json`)",
        "stdout-қа бір JSON құжатын басып шығару (`--output json` сияқты)",
    ),
    (
        "Output format: `text` for people, `json` (one JSON document on stdout) for machines",
        "Шығару пішімі: адамдар үшін `text`, бағдарламалар үшін `json` (stdout-та бір JSON құжаты)",
    ),
    (
        "Sign and submit without asking for confirmation",
        "Растауды сұрамай қол қою және жіберу",
    ),
    (
        "Return after submission instead of waiting for the receipt",
        "Түбіртекті күтпей, жібергеннен кейін қайту",
    ),
    (
        "Seconds to wait for the receipt",
        "Түбіртекті неше секунд күту",
    ),
    (
        "Memo attached to the transaction (at most 256 bytes)",
        "Транзакцияға ескертпе (256 байттан аспайды)",
    ),
    (
        "Nonce to sign with [default: the account's next nonce on chain]",
        "Қол қоюға арналған nonce [әдепкі: тізбектегі шоттың келесі nonce-і]",
    ),
    (
        "Amounts are raw base units (u128) instead of display units. By default an amount is a decimal in the class's units (`12.5` in a class with 2 decimals is 1250 base units), fetched from the node",
        "Сомалар көрсетілетін бірліктерде емес, бастапқы базалық бірліктерде (u128). Әдепкі бойынша сома — класс бірліктеріндегі ондық сан (2 таңбалы класста `12.5` — 1250 базалық бірлік), таңбалар саны түйіннен алынады",
    ),
    (
        "Transaction commands: also save the signed transaction to FILE (JSON: `hash`, `raw` hex of its canonical bytes, `tx`); `tamga tx submit FILE` submits it later. `keys new|import`: the key file to create. `escrow terms`: the file to write the terms to",
        "Транзакция командалары: қол қойылған транзакцияны FILE-ға да сақтау (JSON: `hash`, `raw` — оның канондық байттарының hex-і, `tx`); `tamga tx submit FILE` оны кейін жібереді. `keys new|import`: жасалатын кілт файлы. `escrow terms`: шарттар жазылатын файл",
    ),
    (
        "Sign (and save with --out) but do not submit; needs --chain-id and --nonce to work without a node",
        "Қол қою (және --out арқылы сақтау), бірақ жібермеу; түйінсіз --chain-id және --nonce қажет",
    ),
    (
        "Language of messages, prompts and help: kk (Kazakh), ru (Russian) or en [default: from LC_ALL, LC_MESSAGES or LANG, else en]. The node's answers are asked for in it too (Accept-Language)",
        "Хабарламалар, сұраулар мен анықтаманың тілі: kk (қазақ), ru (орыс) немесе en [әдепкі: LC_ALL, LC_MESSAGES немесе LANG бойынша, әйтпесе en]. Түйіннің жауаптары да осы тілде сұралады (Accept-Language)",
    ),
    (
        "Print help (see more with '--help')",
        "Анықтаманы көрсету (толығырақ: '--help')",
    ),
    (
        "Print help (see a summary with '-h')",
        "Анықтаманы көрсету (қысқаша: '-h')",
    ),
    (
        "Print version",
        "Нұсқаны көрсету",
    ),
    (
        "Create, list, show and import key files (encrypted by default)",
        "Кілт файлдарын жасау, тізімдеу, көрсету және импорттау (әдепкі бойынша шифрланған)",
    ),
    (
        "Generate a new key into a new file (mode 0600, never overwritten) and print its address",
        "Жаңа файлда жаңа кілт жасау (0600 режимі, ешқашан қайта жазылмайды) және оның мекенжайын басып шығару",
    ),
    (
        "Generate a new key into a new file (mode 0600, never overwritten) and print its address.\n\nThe file is encrypted with a passphrase (TAMGA_PASSPHRASE, --passphrase-file, or asked twice on the terminal) unless --plain. Where: --out FILE, else DIR/NAME.key (DIR: --dir, default ~/.tamga/keys).",
        "Жаңа файлда жаңа кілт жасау (0600 режимі, ешқашан қайта жазылмайды) және оның мекенжайын басып шығару.\n\n--plain берілмесе, файл құпиясөзбен шифрланады (TAMGA_PASSPHRASE, --passphrase-file немесе терминалда екі рет сұралады). Қайда: --out FILE, әйтпесе DIR/NAME.key (DIR: --dir, әдепкі ~/.tamga/keys).",
    ),
    (
        "Name of the key: the file is DIR/NAME.key",
        "Кілттің атауы: файл — DIR/NAME.key",
    ),
    (
        "Directory for NAME [default: ~/.tamga/keys]",
        "NAME үшін каталог [әдепкі: ~/.tamga/keys]",
    ),
    (
        "Write the seed unencrypted (64 hex characters; development only)",
        "Seed-ті шифрламай жазу (64 он алтылық таңба; тек әзірлеу үшін)",
    ),
    (
        "List the key files in a directory with their addresses (no passphrase needed)",
        "Каталогтағы кілт файлдарының мекенжайларымен тізімі (құпиясөз қажет емес)",
    ),
    (
        "Directory [default: ~/.tamga/keys]",
        "Каталог [әдепкі: ~/.tamga/keys]",
    ),
    (
        "Print the address (public key) of a key file: `keys show FILE` or `--key FILE`",
        "Кілт файлының мекенжайын (ашық кілтін) басып шығару: `keys show FILE` немесе `--key FILE`",
    ),
    (
        "Key file [default: --key]",
        "Кілт файлы [әдепкі: --key]",
    ),
    (
        "Also decrypt an encrypted file, proving the passphrase opens it",
        "Шифрланған файлды да ашу, құпиясөздің оны ашатынын дәлелдеу",
    ),
    (
        "Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file",
        "64 он алтылық таңбалы seed-ті (--seed-file-дан немесе stdin-нен бір жолмен) жаңа кілт файлына импорттау",
    ),
    (
        "Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file.\n\nEncrypted unless --plain; the file is --out FILE, else DIR/NAME.key.",
        "64 он алтылық таңбалы seed-ті (--seed-file-дан немесе stdin-нен бір жолмен) жаңа кілт файлына импорттау.\n\n--plain берілмесе, шифрланады; файл — --out FILE, әйтпесе DIR/NAME.key.",
    ),
    (
        "File holding the seed as 64 hex characters (a plain key file) [default: stdin]",
        "64 он алтылық таңбалы seed бар файл (ашық кілт файлы) [әдепкі: stdin]",
    ),
    (
        "Write the seed unencrypted (development only)",
        "Seed-ті шифрламай жазу (тек әзірлеу үшін)",
    ),
    (
        "Print this message or the help of the given subcommand(s)",
        "Осы хабарламаны немесе көрсетілген ішкі командалардың анықтамасын көрсету",
    ),
    (
        "The node's status: chain id, height, block hash, state root (GET /v1/status)",
        "Түйіннің күйі: тізбек идентификаторы, биіктік, блок хеші, күй түбірі (GET /v1/status)",
    ),
    (
        "Chain facts fixed at genesis: chain id, genesis hash, regulation hash, network type",
        "Генезисте бекітілген тізбек деректері: тізбек идентификаторы, генезис хеші, регламент хеші, желі түрі",
    ),
    (
        "Chain parameters, or change one (regulator)",
        "Тізбек параметрлері немесе біреуін өзгерту (реттеуші)",
    ),
    (
        "Set a chain parameter (regulator): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
        "Тізбек параметрін орнату (реттеуші): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
    ),
    (
        "Parameter name",
        "Параметр атауы",
    ),
    (
        "New value",
        "Жаңа мән",
    ),
    (
        "The validator set, or change it (regulator)",
        "Валидаторлар жиыны немесе оны өзгерту (реттеуші)",
    ),
    (
        "The set certifying the block at this height [default: the next block]",
        "Осы биіктіктегі блокты куәландыратын жиын [әдепкі: келесі блок]",
    ),
    (
        "Change validators (regulator), effective `validator_change_delay` blocks after commit",
        "Валидаторларды өзгерту (реттеуші); жазылғаннан кейін `validator_change_delay` блоктан соң күшіне енеді",
    ),
    (
        "`KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; power 0 removes the validator; `P2P_KEY` is the node's p2p identity (`tamgad show-key`), omitted it keeps the recorded one (the consensus key for a new validator). Repeat for several",
        "`KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; 0 қуат валидаторды алып тастайды; `P2P_KEY` — тораптың p2p сәйкестендіргіші (`tamgad show-key`), көрсетілмесе тіркелгені сақталады (жаңа валидатор үшін — консенсус кілті). Бірнешеуі үшін қайталаңыз",
    ),
    (
        "The node's p2p identity key (`tamgad show-key` prints it), under whose peer id peers admit it. Without it a new validator is admitted under its consensus key, and an existing one keeps its recorded p2p key",
        "Тораптың p2p сәйкестендіру кілті (`tamgad show-key` шығарады): пирлер торапты осы кілттің peer id-і бойынша қабылдайды. Ол берілмесе, жаңа валидатор консенсус кілті бойынша қабылданады, ал бар валидатор тіркелген p2p кілтін сақтайды",
    ),
    (
        "An account: status, next nonce, balances [default: the --key account]",
        "Шот: мәртебесі, келесі nonce, қалдықтар [әдепкі: --key шоты]",
    ),
    (
        "Account address (64 hex)",
        "Шот мекенжайы (64 hex)",
    ),
    (
        "List the records the account holds instead",
        "Оның орнына шот иеленетін жазбаларды тізімдеу",
    ),
    (
        "An account's token balances: class, amount, frozen, free (base units) [default: the --key account]",
        "Шоттың токен қалдықтары: класс, сома, бұғатталған, бос (базалық бірліктер) [әдепкі: --key шоты]",
    ),
    (
        "A transaction by hash (`tx HASH`, `tx status HASH`), or submit a saved one",
        "Хеш бойынша транзакция (`tx HASH`, `tx status HASH`) немесе сақталғанын жіберу",
    ),
    (
        "Transaction hash (hex): the transaction with its receipt, if committed",
        "Транзакция хеші (hex): жазылған болса, түбіртегімен бірге транзакция",
    ),
    (
        "Whether a transaction is committed (with its outcome), pending or unknown",
        "Транзакция жазылды ма (нәтижесімен), күтуде ме немесе белгісіз бе",
    ),
    (
        "Transaction hash (hex)",
        "Транзакция хеші (hex)",
    ),
    (
        "Submit a transaction saved with --out (and wait for its receipt)",
        "--out арқылы сақталған транзакцияны жіберу (және түбіртегін күту)",
    ),
    (
        "The saved transaction",
        "Сақталған транзакция",
    ),
    (
        "The receipt of a committed transaction (`receipt HASH`), or export and verify an offline-verifiable receipt bundle (Digital Code art. 62 p.1: a signed document is kept and verified outside the system that made it)",
        "Жазылған транзакцияның түбіртегі (`receipt HASH`) немесе офлайн тексерілетін түбіртек пакетін экспорттау және тексеру (Цифрлық кодекс, 62-бап 1-т.: қол қойылған құжат оны жасаған жүйеден тыс сақталады және тексеріледі)",
    ),
    (
        "Transaction hash (hex): print its receipt",
        "Транзакция хеші (hex): оның түбіртегін басып шығару",
    ),
    (
        "Fetch the receipt bundle of a committed transaction and write it to --out FILE (GET /v1/txs/{hash}/bundle; the bundle is checked before it is written when --genesis is given)",
        "Жазылған транзакцияның түбіртек пакетін алып, --out FILE-ға жазу (GET /v1/txs/{hash}/bundle; --genesis берілсе, пакет жазудан бұрын тексеріледі)",
    ),
    (
        "The network's genesis.json, to verify the bundle before saving it",
        "Пакетті сақтар алдында тексеру үшін желінің genesis.json-ы",
    ),
    (
        "Verify a receipt bundle offline against a genesis: who signed, which party, when and at which height it was committed, what it does",
        "Түбіртек пакетін генезис бойынша офлайн тексеру: кім қол қойды, қай тарап, қашан және қай биіктікте жазылды, не істейді",
    ),
    (
        "The bundle file (binary, or its hex)",
        "Пакет файлы (екілік немесе оның hex-і)",
    ),
    (
        "The network's genesis.json: the only thing trusted",
        "Желінің genesis.json-ы: сенім артылатын жалғыз нәрсе",
    ),
    (
        "Verify the chain of block headers and commit certificates from a trusted genesis, across validator-set changes (light verification)",
        "Блок тақырыптары мен бекіту сертификаттарының тізбегін сенімді генезистен бастап валидаторлар жиынының ауысуларын қоса тексеру (жеңіл тексеру)",
    ),
    (
        "Last height to verify [default: the node's latest]",
        "Тексерілетін соңғы биіктік [әдепкі: түйіндегі соңғысы]",
    ),
    (
        "A block: `block show HEIGHT|latest` (also `block HEIGHT`)",
        "Блок: `block show HEIGHT|latest` (сондай-ақ `block HEIGHT`)",
    ),
    (
        "Height, or `latest`",
        "Биіктік немесе `latest`",
    ),
    (
        "Print the block's receipts instead",
        "Оның орнына блоктың түбіртектерін басып шығару",
    ),
    (
        "A block: height, hash, state_root, tx_count, header, transaction hashes, certificate",
        "Блок: биіктік, хеш, state_root, tx_count, тақырып, транзакция хештері, сертификат",
    ),
    (
        "Parties: list, show, register and manage (IIN/BIN kept off the ledger as a salted commitment)",
        "Тараптар: тізім, көрсету, тіркеу және басқару (ЖСН/БСН тізілімнен тыс тұзды міндеттеме ретінде сақталады)",
    ),
    (
        "Party id to show",
        "Көрсетілетін тараптың идентификаторы",
    ),
    (
        "All parties",
        "Барлық тараптар",
    ),
    (
        "One party with its accounts and roles",
        "Шоттары мен рөлдерімен бір тарап",
    ),
    (
        "Party id",
        "Тарап идентификаторы",
    ),
    (
        "Register a party with its accounts (regulator)",
        "Тарапты шоттарымен тіркеу (реттеуші)",
    ),
    (
        "`individual` or `legal-entity`",
        "`individual` (жеке тұлға) немесе `legal-entity` (заңды тұлға)",
    ),
    (
        "The 12-digit IIN (individual) or BIN (legal entity), checked before hashing: its check digit, and that its structure fits --kind (Digital Code art. 45); only its salted commitment leaves this machine",
        "12 таңбалы ЖСН (жеке тұлға) немесе БСН (заңды тұлға), хештеуге дейін тексеріледі: бақылау цифры және құрылымының --kind-қа сәйкестігі (Цифрлық кодекс, 45-бап); бұл машинадан тек оның тұзды міндеттемесі шығады",
    ),
    (
        "The commitment's salt: 32 random bytes (64 hex characters); a shorter one is refused. Without it a salt is generated here from the operating system's random source and shown (and saved with --salt-out). Keep it off the ledger, in the party's custody; destroying every copy makes the commitment unlinkable to the person (SPEC §3; Digital Code art. 41)",
        "Міндеттеменің тұзы: 32 кездейсоқ байт (64 он алтылық таңба); қысқасы қабылданбайды. Берілмесе, тұз осында операциялық жүйенің кездейсоқтық көзінен жасалып, көрсетіледі (және --salt-out арқылы сақталады). Оны тізілімнен тыс, тараптың сақтауында ұстаңыз; барлық көшірмелерін жою міндеттемені тұлғамен байланыстыруды мүмкін емес етеді (SPEC §3; Цифрлық кодекс, 41-бап)",
    ),
    (
        "Save a generated salt to FILE (64 hex characters, mode 0600, never overwritten)",
        "Жасалған тұзды FILE-ға сақтау (64 он алтылық таңба, 0600 режимі, ешқашан қайта жазылмайды)",
    ),
    (
        "A precomputed commitment H(salt ‖ IIN/BIN), instead of --iin-bin/--salt",
        "--iin-bin/--salt орнына алдын ала есептелген H(тұз ‖ ЖСН/БСН) міндеттемесі",
    ),
    (
        "Display name (legal entities only)",
        "Көрсетілетін атау (тек заңды тұлғалар үшін)",
    ),
    (
        "Account key, optionally with a PKI certificate: `KEY` or `KEY:ISSUER:SERIAL`. Repeat for several",
        "Шот кілті, қажет болса PKI сертификатымен: `KEY` немесе `KEY:ISSUER:SERIAL`. Бірнешеуі үшін қайталаңыз",
    ),
    (
        "Change a party's status (regulator): `active`, `suspended`, `revoked`",
        "Тараптың мәртебесін өзгерту (реттеуші): `active`, `suspended`, `revoked`",
    ),
    (
        "New status",
        "Жаңа мәртебе",
    ),
    (
        "Legal basis",
        "Құқықтық негіз",
    ),
    (
        "Add an account key to a party (the party itself, or a regulator)",
        "Тарапқа шот кілтін қосу (тараптың өзі немесе реттеуші)",
    ),
    (
        "The new key",
        "Жаңа кілт",
    ),
    (
        "PKI certificate `ISSUER:SERIAL` (regulator only)",
        "PKI сертификаты `ISSUER:SERIAL` (тек реттеуші)",
    ),
    (
        "Revoke an account key. Reasons (Digital Code art. 59 p.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
        "Шот кілтін кері қайтарып алу. Негіздер (Цифрлық кодекс, 59-бап 1-т.): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
    ),
    (
        "The key to revoke",
        "Кері қайтарылатын кілт",
    ),
    (
        "Ground for revocation",
        "Кері қайтару негізі",
    ),
    (
        "Secured tokens: classes, holders, mint, transfer, redeem, freeze, pause, lift, close, restrictions (Law on Informatization art. 33-1 p.2)",
        "Қамтамасыз етілген токендер: кластар, ұстаушылар, шығару, аудару, өтеу, бұғаттау, тоқтата тұру, алу, жабу, шектеулер (Ақпараттандыру туралы заң, 33-1-бап 2-т.)",
    ),
    (
        "All token classes: id, symbol, issuer, supply (base units), decimals, …",
        "Барлық токен кластары: идентификатор, таңба, эмитент, айналымдағы көлем (базалық бірліктер), таңбалар саны, …",
    ),
    (
        "Only the classes of this issuer party",
        "Тек осы эмитенттің кластары",
    ),
    (
        "One class",
        "Бір класс",
    ),
    (
        "Class id",
        "Класс идентификаторы",
    ),
    (
        "Holders of a class",
        "Класс ұстаушылары",
    ),
    (
        "Create a secured token class (issuer)",
        "Қамтамасыз етілген токендер класын жасау (эмитент)",
    ),
    (
        "Ticker, 1–12 upper-case letters or digits",
        "Тикер, 1–12 бас әріп немесе цифр",
    ),
    (
        "Human name",
        "Атауы",
    ),
    (
        "Decimal places (0–18)",
        "Ондық таңбалар саны (0–18)",
    ),
    (
        "Supply cap (display units with --decimals unless --base-units)",
        "Шығару шегі (--base-units болмаса, --decimals бойынша көрсетілетін бірліктер)",
    ),
    (
        "A right the token certifies: `goods:DESCRIPTION` or `services:DESCRIPTION`. Repeat for several",
        "Токен куәландыратын құқық: `goods:СИПАТТАМА` немесе `services:СИПАТТАМА`. Бірнешеуі үшін қайталаңыз",
    ),
    (
        "SHA-256 of the backing document (hex)",
        "Қамтамасыз ететін құжаттың SHA-256-ы (hex)",
    ),
    (
        "Where the backing document is published",
        "Қамтамасыз ететін құжат жарияланған орын",
    ),
    (
        "Redemption terms",
        "Өтеу шарттары",
    ),
    (
        "Issuer mints tokens to an eligible holder",
        "Эмитент рұқсат етілген ұстаушыға токендер шығарады",
    ),
    (
        "Issuer mints tokens to an eligible holder.\n\n`--amount` is in display units (whole tokens; a class with 3 decimals turns `--amount 5` into 5000 base units) unless --base-units.",
        "Эмитент рұқсат етілген ұстаушыға токендер шығарады.\n\n`--amount` --base-units берілмесе, көрсетілетін бірліктерде (бүтін токендер; 3 таңбалы класста `--amount 5` — 5000 базалық бірлік).",
    ),
    (
        "Receiving address (64 hex)",
        "Алушының мекенжайы (64 hex)",
    ),
    (
        "Amount: display units of the class (`5` = 5 whole tokens) unless --base-units",
        "Сома: класстың көрсетілетін бірліктері (`5` = 5 бүтін токен), --base-units болмаса",
    ),
    (
        "Transfer tokens from the --key account",
        "--key шотынан токендерді аудару",
    ),
    (
        "Transfer tokens from the --key account.\n\n`--amount` is in display units (whole tokens; a class with 3 decimals turns `--amount 5` into 5000 base units) unless --base-units.",
        "--key шотынан токендерді аудару.\n\n`--amount` --base-units берілмесе, көрсетілетін бірліктерде (бүтін токендер; 3 таңбалы класста `--amount 5` — 5000 базалық бірлік).",
    ),
    (
        "Redeem tokens to the issuer, claiming one of the class's rights",
        "Класстың құқықтарының бірін талап етіп, токендерді эмитентке өтеу",
    ),
    (
        "Amount (display units unless --base-units)",
        "Сома (--base-units болмаса, көрсетілетін бірліктер)",
    ),
    (
        "Index of the claimed right in the class's `rights` list",
        "Талап етілген құқықтың класс `rights` тізіміндегі нөмірі",
    ),
    (
        "Freeze a holding, all of it or an amount (issuer or regulator); the receipt names the new `restriction_id`, which `token lift` takes",
        "Иеленуді толық немесе сома бойынша бұғаттау (эмитент немесе реттеуші); түбіртек жаңа `restriction_id`-ді атайды, оны `token lift` қабылдайды",
    ),
    (
        "The holder's address",
        "Ұстаушының мекенжайы",
    ),
    (
        "Amount (display units unless --base-units) [default: the whole holding]",
        "Сома (--base-units болмаса, көрсетілетін бірліктер) [әдепкі: бүкіл иелену]",
    ),
    (
        "Legal basis (court decision, article…)",
        "Құқықтық негіз (сот шешімі, бап…)",
    ),
    (
        "Pause a class (issuer or regulator); the receipt names the new `restriction_id`, which `token lift` takes",
        "Класты тоқтата тұру (эмитент немесе реттеуші); түбіртек жаңа `restriction_id`-ді атайды, оны `token lift` қабылдайды",
    ),
    (
        "Legal basis or reason",
        "Құқықтық негіз немесе себеп",
    ),
    (
        "Lift one freeze or pause, named by its restriction id (SPEC §4, Digital Code art. 20 p.4). The issuer lifts its own; a regulator's restriction only a regulator lifts (`tamga regulator lift`)",
        "Бір бұғаттауды немесе тоқтата тұруды шектеу идентификаторы бойынша алу (SPEC §4, Цифрлық кодекс, 20-бап 4-т.). Эмитент өзінікін алады; реттеушінің шектеуін тек реттеуші алады (`tamga regulator lift`)",
    ),
    (
        "The freeze's or pause's restriction id (from its receipt, or `tamga token restrictions CLASS`)",
        "Бұғаттаудың немесе тоқтата тұрудың шектеу идентификаторы (оның түбіртегінен немесе `tamga token restrictions CLASS`)",
    ),
    (
        "Legal basis of the lifting (court decision, article…)",
        "Алудың құқықтық негізі (сот шешімі, бап…)",
    ),
    (
        "Close a class whose supply is zero (issuer; SPEC §4): a closed class accepts nothing but queries",
        "Айналымы нөлге тең класты жабу (эмитент; SPEC §4): жабық класс тек сұрауларды қабылдайды",
    ),
    (
        "Class id (its supply must be zero)",
        "Класс идентификаторы (оның айналымы нөлге тең болуы тиіс)",
    ),
    (
        "Legal basis (a regulator) or reason (the issuer)",
        "Құқықтық негіз (реттеуші) немесе себеп (эмитент)",
    ),
    (
        "The freezes and pauses of a class, standing or lifted (SPEC §4), or only one holder's",
        "Класстың бұғаттаулары мен тоқтата тұрулары, қолданыстағы немесе алынған (SPEC §4), немесе тек бір ұстаушынікі",
    ),
    (
        "Only this holder's freezes (and the class's pauses are left out)",
        "Тек осы ұстаушының бұғаттаулары (класстың тоқтата тұрулары көрсетілмейді)",
    ),
    (
        "Right-certifying records: show, list, issue, transfer, encumber, release, terminate (Digital Code art. 21 p.2(2))",
        "Құқықты куәландыратын жазбалар: көрсету, тізім, беру, табыстау, ауыртпалық салу, босату, тоқтату (Цифрлық кодекс, 21-бап 2-т. 2)-тт.)",
    ),
    (
        "Record id to show (with history)",
        "Көрсетілетін жазба идентификаторы (тарихымен)",
    ),
    (
        "A record with its encumbrances and full history",
        "Ауыртпалықтарымен және толық тарихымен жазба",
    ),
    (
        "Record id",
        "Жазба идентификаторы",
    ),
    (
        "The records an account holds [default: the --key account]",
        "Шот иеленетін жазбалар [әдепкі: --key шоты]",
    ),
    (
        "Holder's address",
        "Ұстаушы мекенжайы",
    ),
    (
        "Certify a right to a holder (issuer or regulator); the receipt names the new `record_id`",
        "Ұстаушының құқығын куәландыру (эмитент немесе реттеуші); түбіртек жаңа `record_id`-ді атайды",
    ),
    (
        "Object kind: thing, goods, raw-resource, claim, digital-object, other",
        "Объект түрі: thing, goods, raw-resource, claim, digital-object, other",
    ),
    (
        "Description of the object",
        "Объектінің сипаттамасы",
    ),
    (
        "External reference (cadastre number, contract number…)",
        "Сыртқы сілтеме (кадастрлық нөмір, шарт нөмірі…)",
    ),
    (
        "Hash of the underlying document (hex)",
        "Негізгі құжаттың хеші (hex)",
    ),
    (
        "Transfer a record to another account (holder)",
        "Жазбаны басқа шотқа беру (ұстаушы)",
    ),
    (
        "New holder's address",
        "Жаңа ұстаушының мекенжайы",
    ),
    (
        "Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`",
        "Жазбаға ауыртпалық салу (ұстаушы): кепіл, ұстап қалу немесе басқа; түбіртек жаңа `encumbrance_id`-ді атайды",
    ),
    (
        "Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`.\n\nAn arrest is a regulator's act: `tamga regulator arrest`.",
        "Жазбаға ауыртпалық салу (ұстаушы): кепіл, ұстап қалу немесе басқа; түбіртек жаңа `encumbrance_id`-ді атайды.\n\nТыйым салу — реттеушінің актісі: `tamga regulator arrest`.",
    ),
    (
        "pledge, lien, other (arrest: regulator)",
        "pledge (кепіл), lien (ұстап қалу), other (басқа) (arrest: реттеуші)",
    ),
    (
        "Beneficiary's address (its party becomes the beneficiary)",
        "Пайда алушының мекенжайы (оның тарапы пайда алушы болады)",
    ),
    (
        "Legal basis (the agreement) [default: \"<kind> granted by the holder\"; required for an arrest]",
        "Құқықтық негіз (келісім) [әдепкі: \"<kind> granted by the holder\"; тыйым салу үшін міндетті]",
    ),
    (
        "Release an encumbrance (beneficiary; a regulator for an arrest)",
        "Ауыртпалықты алу (пайда алушы; тыйым салу үшін — реттеуші)",
    ),
    (
        "Encumbrance id",
        "Ауыртпалық идентификаторы",
    ),
    (
        "Terminate a record (certifier or holder). Reasons: redeemed, expired, object-lost, court-decision, other",
        "Жазбаны тоқтату (куәландырушы немесе ұстаушы). Негіздер: redeemed, expired, object-lost, court-decision, other",
    ),
    (
        "Ground (Digital Code art. 44 p.4)",
        "Негіз (Цифрлық кодекс, 44-бап 4-т.)",
    ),
    (
        "Escrows: list, show, publish-terms, terms, create, release, refund, dispute, resolve (Digital Code art. 67)",
        "Эскроу: тізім, көрсету, шарттарды жариялау, шарттар, жасау, орындау, қайтару, дау, шешу (Цифрлық кодекс, 67-бап)",
    ),
    (
        "Escrow id to show",
        "Көрсетілетін эскроу идентификаторы",
    ),
    (
        "All escrows",
        "Барлық эскроу",
    ),
    (
        "Only escrows where this party is payer, payee or arbiter",
        "Тек осы тарап төлеуші, алушы немесе төреші болатын эскроу",
    ),
    (
        "One escrow",
        "Бір эскроу",
    ),
    (
        "Escrow id",
        "Эскроу идентификаторы",
    ),
    (
        "Lock tokens (`--class` and `--amount`) or a record (`--record`) for a payee (payer)",
        "Алушы үшін токендерді (`--class` және `--amount`) немесе жазбаны (`--record`) бұғаттау (төлеуші)",
    ),
    (
        "Payee account",
        "Алушының шоты",
    ),
    (
        "Arbiter account (its party decides disputes)",
        "Төрешінің шоты (оның тарапы дауларды шешеді)",
    ),
    (
        "Class of the locked tokens",
        "Бұғатталатын токендердің класы",
    ),
    (
        "Amount of tokens (display units unless --base-units)",
        "Токендер сомасы (--base-units болмаса, көрсетілетін бірліктер)",
    ),
    (
        "The locked record",
        "Бұғатталатын жазба",
    ),
    (
        "SHA-256 of the human-readable terms (hex), published on the chain first (`escrow publish-terms`; SPEC §7)",
        "Алдымен тізбекте жарияланған шарттар мәтінінің SHA-256-ы (hex) (`escrow publish-terms`; SPEC §7)",
    ),
    (
        "The terms' text file instead of --terms-hash: its SHA-256 is named (the same text must be published with `escrow publish-terms`)",
        "--terms-hash орнына шарттар мәтінінің файлы: оның SHA-256-ы аталады (сол мәтін `escrow publish-terms` арқылы жариялануы тиіс)",
    ),
    (
        "Height after which the payer may be refunded",
        "Төлеушіге қайтару мүмкін болатын биіктік",
    ),
    (
        "Publish the human-readable terms of escrows on the chain, stored under their SHA-256, which `escrow create --terms-hash` names (SPEC §7, Digital Code art. 67). At most 8 KiB of UTF-8 text",
        "Эскроу шарттарының мәтінін тізбекте жариялау, ол `escrow create --terms-hash` атайтын SHA-256 бойынша сақталады (SPEC §7, Цифрлық кодекс, 67-бап). UTF-8 мәтінінің 8 КиБ-тан аспауы тиіс",
    ),
    (
        "The terms' text file (UTF-8, at most 8192 bytes)",
        "Шарттар мәтінінің файлы (UTF-8, 8192 байттан аспайды)",
    ),
    (
        "Print the terms published under HASH, checked against the hash (a mismatch is an error); with the global --out FILE, write them to FILE",
        "HASH бойынша жарияланған, хешпен салыстырылған шарттарды басып шығару (сәйкессіздік — қате); жалпы --out FILE берілсе, оларды FILE-ға жазу",
    ),
    (
        "SHA-256 of the terms (an escrow's `terms_hash`)",
        "Шарттардың SHA-256-ы (эскроудың `terms_hash`-і)",
    ),
    (
        "Confirm: the asset goes to the payee (payer)",
        "Растау: актив алушыға өтеді (төлеуші)",
    ),
    (
        "Take the asset back after the deadline (payer)",
        "Мерзімнен кейін активті қайтару (төлеуші)",
    ),
    (
        "Dispute (payer or payee)",
        "Дау (төлеуші немесе алушы)",
    ),
    (
        "Why",
        "Себебі",
    ),
    (
        "Decide a dispute (arbiter)",
        "Дауды шешу (төреші)",
    ),
    (
        "Who gets the asset",
        "Активті кім алады",
    ),
    (
        "The decision's reasoning",
        "Шешімнің негіздемесі",
    ),
    (
        "Notifications to the regulator: mining and digital-asset activity (Law on Informatization art. 33-1 p.9 and p.10)",
        "Реттеушіге хабарламалар: цифрлық майнинг және цифрлық активтермен қызмет (Ақпараттандыру туралы заң, 33-1-бап 9 және 10-тт.)",
    ),
    (
        "Digital mining notifications (Law art. 33-1 p.9): start, change, terminate, list, show, totals",
        "Цифрлық майнинг туралы хабарламалар (Заң, 33-1-бап 9-т.): бастау, өзгерту, тоқтату, тізім, көрсету, қорытындылар",
    ),
    (
        "Notify the start of mining at a site (miner); the receipt names the new `notification_id`",
        "Алаңда майнингтің басталуы туралы хабарлау (майнер); түбіртек жаңа `notification_id`-ді атайды",
    ),
    (
        "Region of the site: its code (pavlodar, almaty-city, east-kazakhstan) or its name in Kazakh, Russian or English (\"Павлодарская область\")",
        "Алаңның өңірі: оның коды (pavlodar, almaty-city, east-kazakhstan) немесе қазақ, орыс не ағылшын тіліндегі атауы (\"Павлодар облысы\")",
    ),
    (
        "Site address",
        "Алаңның мекенжайы",
    ),
    (
        "Installed power capacity, kW",
        "Белгіленген қуат, кВт",
    ),
    (
        "Equipment units",
        "Жабдық бірліктері",
    ),
    (
        "Hashrate, TH/s",
        "Хешрейт, TH/s",
    ),
    (
        "Energy source: grid, own-generation, renewable, associated-gas, other",
        "Энергия көзі: grid, own-generation, renewable, associated-gas, other",
    ),
    (
        "Mining pool",
        "Майнинг пулы",
    ),
    (
        "Start date (YYYY-MM-DD)",
        "Басталу күні (ЖЖЖЖ-АА-КК)",
    ),
    (
        "Notify a change of a site; fields not given keep the previous notification's values",
        "Алаңның өзгеруі туралы хабарлау; берілмеген өрістер алдыңғы хабарламаның мәндерін сақтайды",
    ),
    (
        "The notification this one follows (the miner's latest of the site)",
        "Бұл хабарлама жалғасатын хабарлама (майнердің алаң бойынша соңғысы)",
    ),
    (
        "Region of the site",
        "Алаңның өңірі",
    ),
    (
        "Date of the change or termination (YYYY-MM-DD)",
        "Өзгерту немесе тоқтату күні (ЖЖЖЖ-АА-КК)",
    ),
    (
        "Notify the termination of a site; fields not given keep the previous notification's values",
        "Алаңның тоқтатылуы туралы хабарлау; берілмеген өрістер алдыңғы хабарламаның мәндерін сақтайды",
    ),
    (
        "List notifications (every page unless --limit), filtered",
        "Хабарламалар тізімі (--limit болмаса, барлық беттер), сүзгілермен",
    ),
    (
        "Miner party",
        "Майнер тарап",
    ),
    (
        "submitted, accepted or rejected",
        "submitted (берілді), accepted (қабылданды) немесе rejected (қабылданбады)",
    ),
    (
        "Region: its code (pavlodar, almaty-city) or its name in Kazakh, Russian or English (\"Павлодар облысы\", \"Павлодарская область\", \"Pavlodar Region\")",
        "Өңір: оның коды (pavlodar, almaty-city) немесе қазақ, орыс не ағылшын тіліндегі атауы (\"Павлодар облысы\", \"Павлодарская область\", \"Pavlodar Region\")",
    ),
    (
        "start, change or termination",
        "start (бастау), change (өзгерту) немесе termination (тоқтату)",
    ),
    (
        "Start date on or after (YYYY-MM-DD)",
        "Басталу күні осыдан ерте емес (ЖЖЖЖ-АА-КК)",
    ),
    (
        "Start date on or before (YYYY-MM-DD)",
        "Басталу күні осыдан кеш емес (ЖЖЖЖ-АА-КК)",
    ),
    (
        "Page cursor: ids after this one",
        "Бет курсоры: осыдан кейінгі идентификаторлар",
    ),
    (
        "Page size (1–1000, default 100)",
        "Бет өлшемі (1–1000, әдепкі 100)",
    ),
    (
        "One notification",
        "Бір хабарлама",
    ),
    (
        "Notification id",
        "Хабарлама идентификаторы",
    ),
    (
        "Installed capacity and units of active sites by region",
        "Өңірлер бойынша жұмыс істейтін алаңдардың белгіленген қуаты мен бірліктері",
    ),
    (
        "Digital-asset activity notifications: start, terminate, list",
        "Цифрлық активтермен қызмет туралы хабарламалар: бастау, тоқтату, тізім",
    ),
    (
        "Notify the start of an activity: issuance, trading-organisation, exchange",
        "Қызметтің басталуы туралы хабарлау: issuance (шығару), trading-organisation (сауда ұйымдастыру), exchange (айырбастау)",
    ),
    (
        "Activity",
        "Қызмет",
    ),
    (
        "Effective date (YYYY-MM-DD)",
        "Күшіне ену күні (ЖЖЖЖ-АА-КК)",
    ),
    (
        "Notify the end of an activity",
        "Қызметтің тоқтатылуы туралы хабарлау",
    ),
    (
        "List notifications",
        "Хабарламалар тізімі",
    ),
    (
        "Only this party's",
        "Тек осы тараптікі",
    ),
    (
        "Regulator operations: review notifications, parties and keys, freezes, pauses and their lifting, closing classes, forced transfers, arrests, validators, parameters",
        "Реттеуші операциялары: хабарламаларды қарау, тараптар мен кілттер, бұғаттаулар, тоқтата тұрулар және оларды алу, кластарды жабу, мәжбүрлі аударымдар, тыйым салулар, валидаторлар, параметрлер",
    ),
    (
        "Accept a notification (`mining` scope; with --activity, `assets` scope)",
        "Хабарламаны қабылдау (`mining` аясы; --activity болса — `assets` аясы)",
    ),
    (
        "Notification id (a mining notification unless --activity)",
        "Хабарлама идентификаторы (--activity болмаса, майнинг туралы хабарлама)",
    ),
    (
        "The id is a digital-asset activity notification's (`assets` scope)",
        "Идентификатор цифрлық активтермен қызмет туралы хабарламаға жатады (`assets` аясы)",
    ),
    (
        "Reject a notification, with a reason",
        "Хабарламаны себебін көрсетіп қабылдамау",
    ),
    (
        "Reason",
        "Себеп",
    ),
    (
        "Register a party with its accounts; the receipt names the new `party_id`",
        "Тарапты шоттарымен тіркеу; түбіртек жаңа `party_id`-ді атайды",
    ),
    (
        "Change a party's status: active, suspended, revoked",
        "Тараптың мәртебесін өзгерту: active, suspended, revoked",
    ),
    (
        "Add an account key to a party, optionally with a PKI certificate",
        "Тарапқа шот кілтін қосу, қажет болса PKI сертификатымен",
    ),
    (
        "PKI certificate `ISSUER:SERIAL`",
        "PKI сертификаты `ISSUER:SERIAL`",
    ),
    (
        "Revoke any account key. Reasons (Digital Code art. 59 p.1): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
        "Кез келген шот кілтін кері қайтарып алу. Негіздер (Цифрлық кодекс, 59-бап 1-т.): holder-request, false-information, death, change-of-name, reorganisation-or-liquidation, court-decision",
    ),
    (
        "Freeze a holding, all of it or an amount; the receipt names the new `restriction_id`, which `regulator lift` takes",
        "Иеленуді толық немесе сома бойынша бұғаттау; түбіртек жаңа `restriction_id`-ді атайды, оны `regulator lift` қабылдайды",
    ),
    (
        "Pause a class; the receipt names the new `restriction_id`, which `regulator lift` takes",
        "Класты тоқтата тұру; түбіртек жаңа `restriction_id`-ді атайды, оны `regulator lift` қабылдайды",
    ),
    (
        "Lift any freeze or pause, the issuer's or a regulator's, named by its restriction id (SPEC §4, Digital Code art. 20 p.4)",
        "Кез келген бұғаттауды немесе тоқтата тұруды, эмитенттікін не реттеушінікін, шектеу идентификаторы бойынша алу (SPEC §4, Цифрлық кодекс, 20-бап 4-т.)",
    ),
    (
        "Close a class whose supply is zero, with a legal basis (SPEC §4)",
        "Айналымы нөлге тең класты құқықтық негізбен жабу (SPEC §4)",
    ),
    (
        "Move tokens between accounts with a legal basis",
        "Токендерді шоттар арасында құқықтық негізбен аудару",
    ),
    (
        "Source address",
        "Көздің мекенжайы",
    ),
    (
        "Receiving address",
        "Алушының мекенжайы",
    ),
    (
        "Move all holdings and records of a lost key to another account of the same party",
        "Жоғалған кілттің барлық иеліктері мен жазбаларын сол тараптың басқа шотына көшіру",
    ),
    (
        "The lost account",
        "Жоғалған шот",
    ),
    (
        "The party's other account",
        "Тараптың басқа шоты",
    ),
    (
        "Arrest a record (an encumbrance only a regulator releases)",
        "Жазбаға тыйым салу (оны тек реттеуші алатын ауыртпалық)",
    ),
    (
        "Beneficiary's address [default: the signing --key]",
        "Пайда алушының мекенжайы [әдепкі: қол қоюшы --key]",
    ),
    (
        "Legal basis (court decision…)",
        "Құқықтық негіз (сот шешімі…)",
    ),
    (
        "Release an arrest",
        "Тыйымды алу",
    ),
    (
        "The arrest's encumbrance id",
        "Тыйым салу ауыртпалығының идентификаторы",
    ),
    (
        "Change the validator set, effective `validator_change_delay` blocks after commit",
        "Валидаторлар жиынын өзгерту; жазылғаннан кейін `validator_change_delay` блоктан соң күшіне енеді",
    ),
    (
        "Add a validator (or change its power)",
        "Валидатор қосу (немесе оның қуатын өзгерту)",
    ),
    (
        "The validator's consensus key",
        "Валидатордың консенсус кілті",
    ),
    (
        "Voting power (at least 1)",
        "Дауыс қуаты (кемінде 1)",
    ),
    (
        "The operator party",
        "Оператор тарап",
    ),
    (
        "Remove a validator",
        "Валидаторды алып тастау",
    ),
    (
        "Set a chain parameter: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
        "Тізбек параметрін орнату: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`",
    ),
    (
        "Recorded equivocation evidence",
        "Жазылған қос дауыс беру дәлелдері",
    ),
    (
        "Benchmark a running devnet: throughput, finality latency, CPU and memory",
        "Іске қосылған devnet-ті жүктемелік сынау: өткізу қабілеті, түпкілікті кідіріс, ОП және жад",
    ),
    (
        "The devnet home: holds devnet.json, keys/ and the nodes' homes",
        "Devnet үй каталогы: devnet.json, keys/ және түйіндердің үй каталогтарын қамтиды",
    ),
    (
        "Seconds of load",
        "Жүктеме секундтары",
    ),
    (
        "Target transactions per second [default: as fast as the nodes accept]",
        "Секундына мақсатты транзакциялар саны [әдепкі: түйіндер қабылдағанша жылдам]",
    ),
    (
        "Workload mix as NAME=WEIGHT,… with names transfers (token transfers between users), records (transfers of records between users; the records are issued by the issuer before the clock starts) and notifications (mining and activity start notifications alternately). `--mix` alone is the mixed workload `transfers=80,records=10,notifications=10`; without `--mix`, transfers only",
        "NAME=WEIGHT,… түріндегі жүктеме қоспасы, атаулары transfers (пайдаланушылар арасындағы токен аударымдары), records (пайдаланушылар арасындағы жазба берулер; жазбаларды эмитент уақыт есебі басталғанға дейін береді) және notifications (кезекпен майнинг пен қызметтің басталуы туралы хабарламалар). Мәнсіз `--mix` — аралас жүктеме `transfers=80,records=10,notifications=10`; `--mix` болмаса, тек аударымдар",
    ),
    (
        "HTTP connections that submit, spread across the nodes (each one batch request in flight at a time; a sender's transactions always use the same one) [default: 2 per node]",
        "Түйіндерге бөлінген жіберу HTTP қосылымдары (әрқайсысында бір уақытта бір пакеттік сұрау; бір жіберушінің транзакциялары әрқашан бір қосылыммен жүреді) [әдепкі: түйінге 2]",
    ),
    (
        "Seconds to wait after the load for the admitted transactions' receipts",
        "Жүктемеден кейін қабылданған транзакциялардың түбіртектерін неше секунд күту",
    ),
    (
        "Most transactions per submission request (1–1000)",
        "Бір жіберу сұрауындағы транзакциялардың ең көп саны (1–1000)",
    ),
    (
        "Most user accounts to sign with [default: every funded user]",
        "Қол қоюға арналған пайдаланушы шоттарының ең көп саны [әдепкі: қаржыландырылғанның бәрі]",
    ),
    (
        "Without --rate: transactions to pre-sign; the load ends early when all are sent [default: 20,000 per second of --duration]",
        "--rate болмаса: алдын ала қол қойылатын транзакциялар саны; бәрі жіберілгенде жүктеме ертерек аяқталады [әдепкі: --duration-ның секундына 20 000]",
    ),
    (
        "Issuer exports (Law on Informatization art. 33 p.4; format in docs/export-format.md): `export issuer ID --out FILE` saves everything an issuer issued with proofs; `export verify FILE --genesis FILE` checks a saved export offline",
        "Эмитент экспорттары (Ақпараттандыру туралы заң, 33-бап 4-т.; пішімі docs/export-format.md-де): `export issuer ID --out FILE` эмитент шығарғанның бәрін дәлелдерімен сақтайды; `export verify FILE --genesis FILE` сақталған экспортты офлайн тексереді",
    ),
    (
        "Stream every class, holding, record, encumbrance and history entry of an issuer, with proofs against one certified height, into --out FILE (GET /v1/issuers/{id}/export); verified before it is kept when --genesis is given (a file that fails is kept as FILE.invalid)",
        "Эмитенттің барлық кластарын, иеліктерін, жазбаларын, ауыртпалықтарын және тарих жазбаларын бір куәландырылған биіктіктегі дәлелдерімен --out FILE-ға ағынмен жазу (GET /v1/issuers/{id}/export); --genesis берілсе, сақтар алдында тексеріледі (тексеруден өтпеген файл FILE.invalid ретінде сақталады)",
    ),
    (
        "The issuer's party id",
        "Эмитент тараптың идентификаторы",
    ),
    (
        "The network's genesis.json, to verify the export after download",
        "Жүктеп алғаннан кейін экспортты тексеру үшін желінің genesis.json-ы",
    ),
    (
        "Seconds the whole download may take",
        "Бүкіл жүктеп алу неше секундқа созыла алады",
    ),
    (
        "Verify a saved export offline against a genesis: every header from the genesis, every state proof, every history transaction",
        "Сақталған экспортты генезис бойынша офлайн тексеру: генезистен бастап әр тақырып, күйдің әр дәлелі, тарихтың әр транзакциясы",
    ),
    (
        "The export file (JSON Lines)",
        "Экспорт файлы (JSON Lines)",
    ),
    (
        "Follow an account's event feed: every freeze, forced transfer, recovery, encumbrance, arbiter's decision, pause or validator-set exit that concerns it (Law on Informatization art. 36 p.6)",
        "Шоттың оқиғалар таспасын бақылау: оған қатысты әрбір бұғаттау, мәжбүрлі аудару, қалпына келтіру, ауыртпалық, төреші шешімі, тоқтата тұру немесе валидаторлар құрамынан шығу («Ақпараттандыру туралы» Заң, 36-бап 6-т.)",
    ),
    (
        "The account to follow [default: the --key account]. Where the node's reads are closed, another account's feed is served to a regulator only",
        "Бақыланатын шот [әдепкі: --key кілтінің шоты]. Түйінде оқу жабық болса, басқа шоттың таспасын тек реттеуші алады",
    ),
    (
        "Replay from this height before following live [default: from now]",
        "Осы биіктіктен бастап қайта ойнатып, содан кейін нақты уақытта бақылау [әдепкі: қазірден бастап]",
    ),
    (
        "Only these receipt event kinds, comma-separated (e.g. frozen,forced_transfer)",
        "Түбіртек оқиғаларының тек осы түрлері, үтір арқылы (мысалы, frozen,forced_transfer)",
    ),
    (
        "Stop after this many events [default: follow until interrupted]",
        "Осынша оқиғадан кейін тоқтау [әдепкі: үзілгенше бақылау]",
    ),
    (
        "Seconds without a byte from the node (the node sends a keep-alive every 15 s) before the connection is dropped and opened again",
        "Түйіннен бір байт та келмеген секундтар саны (түйін әр 15 с сайын keep-alive жібереді), одан кейін байланыс үзіліп, қайта ашылады",
    ),
];
