/** The importer's inputs and report. */

/** Findings about one sink, sorted by what the reader must do with them. */
export interface Findings {
  /** Carried over with the same meaning. */
  mapped: string[];
  /** Carried over, but behaves differently (documented or fixed behaviour); read it. */
  changed: string[];
  /** Could not be carried over faithfully; a person must decide. */
  human: string[];
}

/** One `--sink` value and where it came from. */
export interface SinkFlag {
  value: string;
  /** `--sink #1`, or `deploy.yaml: Deployment kube-system/kube-eventer, container kube-eventer, args[2]`. */
  source: string;
  /** The value of an environment variable in kube-eventer's process, when the manifest says it. */
  lookupEnv?: (name: string) => string | undefined;
  /** Where unknown environment variables come from (`Secret wecom/key`), for the report. */
  envOrigins?: ReadonlyMap<string, string>;
}

/** A ConfigMap holding a kube-eventer body template. */
export interface BodyConfigMap {
  name: string;
  /** Undefined when the manifest does not say (it is applied to the current namespace). */
  namespace: string | undefined;
  /** `data.content`, the Go template; undefined when the key is missing. */
  content: string | undefined;
  /** `cm.yaml: ConfigMap kube-system/custom-body` */
  source: string;
}

/** Where a template issue sits: the ConfigMap and the line/column inside its `content`. */
export interface TemplateFinding {
  configMap: string;
  line: number;
  column: number;
  action: string;
  message: string;
  severity: 'changed' | 'human';
}

/** What happened to one sink. */
export interface SinkReport {
  /** 1-based position among all sinks read. */
  index: number;
  source: string;
  kind: string;
  /** The sink value with secrets replaced by `****`. */
  redacted: string;
  status: 'imported' | 'skipped';
  /** Why a sink was skipped. */
  reason?: string;
  receiver?: string;
  route?: string;
  /** `template`, `bodyTemplate` or the built-in template used. */
  template?: string;
  findings: Findings;
  templateFindings: TemplateFinding[];
}

/** A secret the user must store for the function, and the environment variable the bundle reads it from. */
export interface SecretToStore {
  env: string;
  /** The robot key, as found (empty when it comes from an environment variable at run time). */
  value: string;
  receivers: string[];
  /** Where the value is: the sink line, or the Secret an environment variable came from. */
  origin: string;
}

/** The importer's report. */
export interface ImportReport {
  sinks: SinkReport[];
  secrets: SecretToStore[];
  /** Facts true for every imported sink (dedup, retries…), said once. */
  general: string[];
  /** Inputs that could not be read at all. */
  inputProblems: string[];
}
