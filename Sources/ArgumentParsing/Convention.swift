// The toolkit's command-line convention, followed by eset-connector, eset-mock,
// eset-conformance and eset-bench (port new commands to it; the string API still works):
//
// - Shape: `Sources/<tool>/main.swift` is one line calling `run<Tool>CLI(arguments)` from a
//   command library (`ConnectorCLI`, `MockCLI`, `ConformanceCLI`, `BenchCLI`), which tests run
//   in-process. Each command is a `CommandSpec` plus a `run` returning an `ExitStatus`
//   (0 success, 1 failure, 2 completed with rejections, 64 usage); `.rawValue` is the status.
// - Typed options: a value type conforms to `OptionValue` (its placeholder, what it accepts,
//   how it parses and prints); declare the option once as `TypedOption<Value>` with its default,
//   put `option.spec` in the command's `options` (help shows "(default: …)" from that
//   declaration), and read it back with `arguments.required(option)` (given value or default)
//   or `arguments.value(option)` (nil when absent and no default). Options used by several
//   commands are declared once in a shared group (e.g. `ConnectorOptions.profile`,
//   `ConnectorOptions.region`, `ConnectorOptions.rateLimit`) and reused.
//   Porting an option: `.option("x", value: "V", help: h, defaultDescription: "d")` plus
//   hand parsing becomes `TypedOption<T>("x", help: h, default: d)`; `.spec` in the spec and
//   `try arguments.required(theOption)` in `run`.
// - Option groups: options that travel together are a type conforming to `OptionGroup`
//   (`static let options`, `init(parsing:)`), e.g. `RetryOptions`; a command lists
//   `Group.options` in its spec and reads `try Group(parsing: arguments)`.
// - Usage errors are `UsageError` (thrown by the accessors, naming the option), printed as
//   `error: …` plus `See '<command> --help'.`, status 64.
// - Signals: `onSignals` (module `Signals`) is the one mechanism; never a DispatchSource.
// - Porting code written before this convention: `ExitStatus` is this module's enum (MockCLI's
//   Int32 constants are gone), so a function returning `Int32` writes `ExitStatus.success.rawValue`;
//   `eset-connector` subcommands join `connectorSubcommands` (demo is added by ConnectorDemo);
//   `MappingProfile.named`/`ESETRegion.named` still work, `ConnectorOptions.profile`/`.region`
//   replace the hand parsing around them.
