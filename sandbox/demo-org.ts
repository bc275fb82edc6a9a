/**
 * A deterministic, tool-neutral description of an AI organisation: teams, people, models,
 * their code, experiments, training runs and registry versions. Every sandbox (MLflow now;
 * Jira, GitHub, GitLab and the cloud registries later) seeds itself from one `DemoOrg`, so
 * the same model, person and commit show up consistently across tools, the way they would
 * in a real company.
 *
 * Determinism: the same `seed` and `models` give a deep-equal org on every machine. Time
 * comes from DEMO_EPOCH_MS, never the clock. Each concern and each model draws from its own
 * PRNG stream (`Prng.fork`), so adding a field to one part never reshuffles another.
 */
import { Prng } from './prng';

/** Monday 2025-01-06 09:00 UTC: the org's history starts here and runs ~11 months. */
export const DEMO_EPOCH_MS = Date.UTC(2025, 0, 6, 9, 0, 0);
/** The MLflow instances models are registered in: most in `prod`, some only in `research`. */
export const DEMO_MLFLOW_INSTANCES = ['prod', 'research'] as const;
export const DEMO_EMAIL_DOMAIN = 'acme.io';
export const DEMO_GITHUB_ORG = 'acme-ml';
export const DEMO_GITLAB_GROUP = 'acme-data';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---- public types -----------------------------------------------------------------------

export type DemoTaskType =
  | 'binary-classification'
  | 'multiclass-classification'
  | 'regression'
  | 'forecasting'
  | 'ranking'
  | 'anomaly-detection'
  | 'nlp'
  | 'computer-vision';

export type DemoRunStatus = 'FINISHED' | 'FAILED' | 'RUNNING' | 'KILLED';
export type DemoStage = 'None' | 'Staging' | 'Production' | 'Archived';
export type DemoVersionStatus = 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
export type DemoLifecycleStage = 'active' | 'deleted';

export interface DemoTeam {
  /** URL-safe id, e.g. `risk`. */
  slug: string;
  name: string;
  /** The Jira project the team files its tickets in, e.g. `RISK`. */
  jiraProjectKey: string;
}

export interface DemoPerson {
  /** Stable id inside the org, e.g. `alice.nguyen`. Not any tool's id. */
  id: string;
  displayName: string;
  email: string;
  /** Team slug. */
  team: string;
  githubLogin: string;
  gitlabUsername: string;
  /**
   * What MLflow records as `mlflow.user` / `user_id`: usually the email, but for a few people
   * a bare login (`dkim`) or an email in different case, as real tracking servers collect
   * whatever the client machine reported.
   */
  mlflowUserId: string;
  /** An Atlassian-style opaque account id (Jira hides most emails). */
  jiraAccountId: string;
  /** False for people who have left; they may still own models. */
  active: boolean;
}

/** A non-human identity that starts training jobs (CI, schedulers). */
export interface DemoServiceAccount {
  id: string;
  description: string;
  mlflowUserId: string;
  team: string;
}

export interface DemoRepository {
  host: 'github' | 'gitlab';
  /** `acme-ml/fraud-detector`, or `acme-data/supply-chain/demand-forecaster` on GitLab. */
  fullName: string;
  /** Web URL of the repository. */
  url: string;
  defaultBranch: string;
  /** Set when the model lives in a shared repository: its folder there. */
  path?: string;
}

/** What MLflow's git tags say about the code a run trained from. */
export interface DemoGitSource {
  /** As the client reported it: https, ssh or CI-token URLs, with or without `.git`. */
  repoUrl: string;
  commit: string;
  branch: string;
}

export interface DemoMetric {
  key: string;
  /** The latest value (what runs/get and runs/search return). */
  value: number;
  step: number;
  timestamp: number;
}

export interface DemoRun {
  id: string;
  instance: string;
  experimentId: string;
  modelKey: string;
  name: string;
  /** The MLflow user id the run was logged as (a person's `mlflowUserId` or a service account's). */
  userId: string;
  /** The person behind the run; null when a service account started it. */
  personId: string | null;
  status: DemoRunStatus;
  startTime: number;
  /** Absent while RUNNING. */
  endTime?: number;
  lifecycleStage: DemoLifecycleStage;
  sourceType: 'JOB' | 'NOTEBOOK';
  sourceName: string;
  /** Absent for untraceable runs (notebooks outside git, copied scripts). */
  git?: DemoGitSource;
  metrics: DemoMetric[];
  params: Record<string, string>;
}

export interface DemoExperiment {
  /** Numeric string, unique within its MLflow instance (MLflow's own "0" Default is not listed). */
  id: string;
  instance: string;
  modelKey: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: DemoLifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
  runs: DemoRun[];
}

export interface DemoModelVersion {
  version: number;
  stage: DemoStage;
  status: DemoVersionStatus;
  statusMessage?: string;
  runId: string;
  /** `models:/m-<id>` (MLflow 3 logged models), `s3://…/artifacts/model`, `runs:/<id>/model`, … */
  source: string;
  /** Who registered it (OSS MLflow does not report this on the wire; Databricks does). */
  userId: string;
  personId: string | null;
  creationTime: number;
  lastUpdatedTime: number;
  description?: string;
  tags: Record<string, string>;
  /** Registered-model aliases pointing at this version. */
  aliases: string[];
}

/** One registered model in one MLflow instance. */
export interface DemoRegistration {
  instance: string;
  /** The registered model name; usually the model key, not always. */
  name: string;
  description?: string;
  creationTime: number;
  lastUpdatedTime: number;
  tags: Record<string, string>;
  versions: DemoModelVersion[];
  aliases: Array<{ alias: string; version: number }>;
}

export interface DemoModel {
  /** Lowercase slug, unique in the org: `fraud-detector`. */
  key: string;
  displayName: string;
  /** Team slug. */
  team: string;
  /** Person id; null for the odd model nobody owns. */
  ownerId: string | null;
  description: string;
  task: DemoTaskType;
  repository: DemoRepository;
  /** Where the model is registered; at least one entry. */
  registrations: DemoRegistration[];
  /** Experiments in every instance the model is registered in. */
  experiments: DemoExperiment[];
}

export interface DemoOrg {
  seed: number;
  name: string;
  epochMs: number;
  emailDomain: string;
  githubOrg: string;
  gitlabGroup: string;
  mlflowInstances: string[];
  teams: DemoTeam[];
  people: DemoPerson[];
  serviceAccounts: DemoServiceAccount[];
  models: DemoModel[];
}

export interface DemoOrgOptions {
  /** Default 42. */
  seed?: number;
  /** How many models. Default 36; 10,000 generates in well under two seconds. */
  models?: number;
}

// ---- vocabulary -------------------------------------------------------------------------

interface TeamSpec {
  slug: string;
  name: string;
  jira: string;
  gitHost: 'github' | 'gitlab';
}

const CURATED_TEAMS: TeamSpec[] = [
  { slug: 'risk', name: 'Risk & Fraud', jira: 'RISK', gitHost: 'github' },
  { slug: 'growth', name: 'Growth & Marketing', jira: 'GROW', gitHost: 'github' },
  { slug: 'supply-chain', name: 'Supply Chain', jira: 'SCM', gitHost: 'gitlab' },
  { slug: 'search', name: 'Search & Recommendations', jira: 'SRCH', gitHost: 'github' },
  { slug: 'customer-ai', name: 'Customer AI', jira: 'CX', gitHost: 'github' },
  { slug: 'ml-platform', name: 'ML Platform', jira: 'MLP', gitHost: 'github' },
  { slug: 'research', name: 'Applied Research', jira: 'RES', gitHost: 'gitlab' },
];

interface ModelSpec {
  key: string;
  team: string;
  task: DemoTaskType;
  description: string;
}

// Ordered so the default 36 cover every team and every deliberate oddity below.
const CURATED_MODELS: ModelSpec[] = [
  { key: 'fraud-detector', team: 'risk', task: 'binary-classification', description: 'Scores card transactions for fraud in real time at authorisation.' },
  { key: 'churn-predictor', team: 'growth', task: 'binary-classification', description: 'Predicts which subscribers will cancel in the next 30 days.' },
  { key: 'demand-forecaster', team: 'supply-chain', task: 'forecasting', description: 'Daily SKU x store demand forecast feeding replenishment.' },
  { key: 'search-ranker', team: 'search', task: 'ranking', description: 'Learning-to-rank model ordering product search results.' },
  { key: 'support-ticket-router', team: 'customer-ai', task: 'multiclass-classification', description: 'Routes inbound support tickets to the right queue.' },
  { key: 'feature-drift-detector', team: 'ml-platform', task: 'anomaly-detection', description: 'Flags feature distribution drift across production models.' },
  { key: 'llm-reranker', team: 'research', task: 'ranking', description: 'Cross-encoder reranker over retrieved help-centre passages.' },
  { key: 'credit-risk-scorer', team: 'risk', task: 'binary-classification', description: 'Probability of default for consumer credit applications.' },
  { key: 'lead-scorer', team: 'growth', task: 'binary-classification', description: 'Ranks inbound B2B leads by likelihood to convert.' },
  { key: 'inventory-optimizer', team: 'supply-chain', task: 'regression', description: 'Recommends safety stock per warehouse and SKU.' },
  { key: 'product-recommender', team: 'search', task: 'ranking', description: 'Personalised product recommendations on home and PDP.' },
  { key: 'sentiment-classifier', team: 'customer-ai', task: 'nlp', description: 'Classifies the sentiment of reviews and survey answers.' },
  { key: 'address-normalizer', team: 'ml-platform', task: 'nlp', description: 'Parses and normalises free-text postal addresses.' },
  { key: 'price-elasticity-estimator', team: 'research', task: 'regression', description: 'Estimates price elasticity per category for pricing studies.' },
  { key: 'aml-transaction-monitor', team: 'risk', task: 'anomaly-detection', description: 'Anti-money-laundering monitoring of account transactions.' },
  { key: 'ltv-predictor', team: 'growth', task: 'regression', description: 'Predicts 12-month customer lifetime value.' },
  { key: 'delivery-eta-predictor', team: 'supply-chain', task: 'regression', description: 'Predicts parcel delivery time shown at checkout.' },
  { key: 'query-intent-classifier', team: 'search', task: 'multiclass-classification', description: 'Classifies search queries into shopping intents.' },
  { key: 'call-transcript-summarizer', team: 'customer-ai', task: 'nlp', description: 'Summarises support call transcripts for agents.' },
  { key: 'entity-resolver', team: 'ml-platform', task: 'binary-classification', description: 'Matches customer records that refer to the same person.' },
  { key: 'causal-uplift-explorer', team: 'research', task: 'regression', description: 'Exploratory uplift modelling for marketing experiments.' },
  { key: 'chargeback-predictor', team: 'risk', task: 'binary-classification', description: 'Predicts which disputed payments end in a chargeback.' },
  { key: 'email-propensity', team: 'growth', task: 'binary-classification', description: 'Propensity to open and click marketing emails.' },
  { key: 'supplier-risk-scorer', team: 'supply-chain', task: 'binary-classification', description: 'Scores suppliers for late-delivery and solvency risk.' },
  { key: 'image-tagger', team: 'search', task: 'computer-vision', description: 'Tags catalogue images with colour, pattern and style.' },
  { key: 'toxicity-filter', team: 'customer-ai', task: 'nlp', description: 'Filters abusive content from reviews and chat.' },
  { key: 'data-quality-monitor', team: 'ml-platform', task: 'anomaly-detection', description: 'Detects broken upstream tables before training.' },
  { key: 'document-layout-parser', team: 'research', task: 'computer-vision', description: 'Parses the layout of scanned invoices and contracts.' },
  { key: 'kyc-document-classifier', team: 'risk', task: 'computer-vision', description: 'Classifies identity documents uploaded during onboarding.' },
  { key: 'ad-ctr-predictor', team: 'growth', task: 'binary-classification', description: 'Click-through-rate prediction for paid social campaigns.' },
  { key: 'markdown-optimizer', team: 'supply-chain', task: 'regression', description: 'Chooses end-of-season markdown depth per product.' },
  { key: 'next-best-action', team: 'growth', task: 'ranking', description: 'Chooses the next offer to show a customer in the app.' },
  { key: 'review-summarizer', team: 'customer-ai', task: 'nlp', description: 'Summarises product reviews into pros and cons.' },
  { key: 'merchant-risk-scorer', team: 'risk', task: 'binary-classification', description: 'Risk score for merchants onboarding to the platform.' },
  { key: 'multimodal-product-matcher', team: 'research', task: 'computer-vision', description: 'Matches the same product across marketplaces from image and title.' },
  { key: 'warehouse-slotting', team: 'supply-chain', task: 'ranking', description: 'Ranks warehouse slots for fast-moving items.' },
  // Beyond the default 36.
  { key: 'promo-uplift-model', team: 'growth', task: 'regression', description: 'Estimates incremental sales from promotions.' },
  { key: 'autocomplete-suggester', team: 'search', task: 'ranking', description: 'Query autocomplete suggestions.' },
  { key: 'faq-answer-ranker', team: 'customer-ai', task: 'ranking', description: 'Ranks FAQ answers for the help-centre chatbot.' },
  { key: 'payment-retry-optimizer', team: 'risk', task: 'binary-classification', description: 'Chooses when to retry failed subscription payments.' },
];

/** Deliberate oddities of the curated models, the things a governance tool must cope with. */
interface Quirks {
  instances?: string[];
  /** Registered-model name per instance when it is not the key. */
  names?: Record<string, string>;
  noOwner?: boolean;
  inactiveOwner?: boolean;
  versions?: number;
  untraceable?: boolean;
  productionNotApproved?: boolean;
  championNotProduction?: boolean;
  twoStaging?: boolean;
  newestStatus?: DemoVersionStatus;
  monorepo?: boolean;
  ciTokenUrls?: boolean;
  deletedExperiment?: boolean;
  neverPromoted?: boolean;
}

const QUIRKS: Record<string, Quirks> = {
  'fraud-detector': { versions: 6 },
  'churn-predictor': { instances: ['prod', 'research'], names: { research: 'churn_predictor' } },
  'demand-forecaster': { instances: ['prod', 'research'], ciTokenUrls: true },
  'llm-reranker': { instances: ['research', 'prod'] },
  'credit-risk-scorer': { productionNotApproved: true, versions: 3 },
  'lead-scorer': { noOwner: true },
  'email-propensity': { championNotProduction: true, monorepo: true, versions: 5 },
  'support-ticket-router': { twoStaging: true, versions: 4 },
  'sentiment-classifier': { newestStatus: 'FAILED_REGISTRATION' },
  'query-intent-classifier': { newestStatus: 'PENDING_REGISTRATION' },
  'address-normalizer': { untraceable: true },
  'next-best-action': { names: { prod: 'NextBestAction' } },
  'markdown-optimizer': { inactiveOwner: true },
  'ltv-predictor': { monorepo: true },
  'ad-ctr-predictor': { monorepo: true },
  'image-tagger': { versions: 1, neverPromoted: true },
  'inventory-optimizer': { deletedExperiment: true },
  'price-elasticity-estimator': { instances: ['research'] },
  'causal-uplift-explorer': { instances: ['research'] },
  'document-layout-parser': { instances: ['research'] },
  'multimodal-product-matcher': { instances: ['research'] },
};

const CURATED_KEYS = new Set(CURATED_MODELS.map((m) => m.key));

const FIRST_NAMES = [
  'Alice', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kavya', 'Liam',
  'Maria', 'Noah', 'Olivia', 'Pavel', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tara', 'Umar', 'Valeria', 'Wei',
  'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Bruno', 'Carmen', 'Dmitri', 'Esther', 'Felix', 'Gabriela', 'Hannah', 'Ibrahim',
  'Julia', 'Kenji', 'Lena', 'Mateo', 'Nadia', 'Oscar', 'Paula', 'Rahul', 'Sofia', 'Tomas', 'Uma', 'Victor',
  'Wanjiru', 'Xavier', 'Yara', 'Zain', 'Aiko', 'Bilal', 'Camille', 'Diego', 'Emeka', 'Freya', 'Gustavo', 'Helga',
  'Ivan', 'Jasmine', 'Kofi', 'Leila',
];
const LAST_NAMES = [
  'Nguyen', 'Schmidt', 'Okafor', 'Kim', 'Garcia', 'Haddad', 'Tanaka', 'Rossi', 'Kowalski', 'Patel', 'Silva', 'Müller',
  'Dubois', 'Andersen', 'Chen', 'Ivanova', 'Mensah', 'Costa', 'Yilmaz', 'Novak', 'Sato', 'Fernández', 'Larsen', 'Osei',
  'Ahmed', 'Bianchi', 'Moreau', 'Nakamura', 'Popescu', 'Reyes', 'Singh', 'Varga', 'Weber', 'Zhang', 'Lindqvist', 'Hoffmann',
  'Kaur', 'Mwangi', 'Ortiz', 'Petrov', 'Quinn', 'Romero', 'Svensson', 'Torres', 'Ueda', 'Vasquez', 'Walsh', 'Young',
  'Abbasi', 'Brennan', 'Castillo', 'Demir', 'Eriksen', 'Fischer', 'Gomez', 'Horvat', 'Ito', 'Jensen', 'Khan', 'Lopez',
  'Martin', 'Nowak', "O'Brien", 'Park',
];

const DOMAIN_WORDS = [
  'fraud', 'churn', 'credit', 'demand', 'price', 'search', 'claims', 'payment', 'loan', 'policy', 'customer', 'order',
  'shipment', 'inventory', 'return', 'review', 'ticket', 'invoice', 'merchant', 'account', 'session', 'listing', 'driver',
  'route', 'energy', 'sensor', 'supplier', 'campaign', 'catalog', 'pricing', 'warranty', 'lead',
];
const OBJECT_WORDS = [
  'risk', 'intent', 'volume', 'quality', 'value', 'delay', 'anomaly', 'propensity', 'segment', 'sentiment', 'priority',
  'category', 'match', 'lifetime', 'default', 'conversion', 'retention', 'score', 'yield', 'fit', 'cost', 'signal',
  'affinity', 'load', 'demand',
];
const SUFFIX_TASKS: Array<readonly [string, DemoTaskType]> = [
  ['detector', 'anomaly-detection'], ['predictor', 'binary-classification'], ['scorer', 'binary-classification'],
  ['forecaster', 'forecasting'], ['classifier', 'multiclass-classification'], ['ranker', 'ranking'],
  ['estimator', 'regression'], ['optimizer', 'regression'], ['model', 'binary-classification'],
  ['recommender', 'ranking'], ['segmenter', 'multiclass-classification'], ['monitor', 'anomaly-detection'],
];
const REGION_SUFFIXES = ['emea', 'apac', 'latam', 'na', 'anz', 'mena', 'dach', 'nordics', 'iberia', 'benelux'];
const TEAM_AREAS = [
  'Payments', 'Lending', 'Insurance', 'Logistics', 'Marketplace', 'Pricing', 'Retention', 'Ads', 'Identity', 'Trust',
  'Catalog', 'Checkout', 'Fleet', 'Energy', 'Warehouse', 'Merchandising', 'Onboarding', 'Collections', 'Claims', 'Travel',
  'Media', 'Loyalty', 'Sourcing', 'Support', 'Compliance', 'Forecasting', 'Mobility', 'Health', 'Security', 'Partners',
];
const TEAM_UNITS = ['ML', 'Data Science', 'AI', 'Modeling', 'Analytics', 'Intelligence', 'Decisioning', 'Insights'];

const RUN_ADJECTIVES = [
  'bold', 'bustling', 'calm', 'clever', 'dapper', 'eager', 'fearless', 'gentle', 'hilarious', 'honest', 'judicious',
  'lyrical', 'mysterious', 'nimble', 'orderly', 'polite', 'resilient', 'righteous', 'sassy', 'smiling', 'suave',
  'thundering', 'unique', 'vaunted', 'welcoming', 'youthful', 'zealous', 'amazing', 'blushing', 'capable',
];
const RUN_NOUNS = [
  'ant', 'bass', 'bear', 'calf', 'carp', 'cod', 'crab', 'deer', 'doe', 'donkey', 'eel', 'finch', 'fowl', 'gnu', 'goat',
  'grouse', 'hare', 'hawk', 'hen', 'hog', 'jay', 'koi', 'lamb', 'lark', 'mole', 'moth', 'newt', 'owl', 'ox', 'panda',
  'rat', 'ray', 'seal', 'shark', 'shrew', 'slug', 'snail', 'sow', 'squid', 'stag', 'swan', 'toad', 'trout', 'whale', 'wolf',
];
const BRANCH_WORDS = [
  'new-features', 'class-weights', 'tuning', 'holiday-data', 'drift-fix', 'label-cleanup', 'bigger-model', 'calibration',
  'q3-refresh', 'backfill', 'faster-train', 'dedupe', 'embeddings', 'early-stopping',
];
const VERSION_NOTES = [
  'Retrained on the latest quarter of data.', 'Adds calibration on the output scores.',
  'Hyperparameter sweep winner.', 'Fixes the label leakage found in review.', 'Smaller model, same quality, half the latency.',
  'Adds holiday features.',
];

// ---- generator --------------------------------------------------------------------------

export function generateDemoOrg(options: DemoOrgOptions = {}): DemoOrg {
  const seed = options.seed ?? 42;
  const size = options.models ?? 36;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`models must be a positive integer, got ${size}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const root = new Prng(seed);
  const teamSpecs = makeTeams(root.fork('teams'), size);
  const people = makePeople(root.fork('people'), teamSpecs, peopleCount(size));
  const serviceAccounts: DemoServiceAccount[] = [
    { id: 'svc-training-pipeline', description: 'Scheduled retraining jobs (Airflow)', mlflowUserId: 'svc-training-pipeline', team: 'ml-platform' },
    { id: 'gitlab-runner', description: 'GitLab CI training jobs', mlflowUserId: 'gitlab-runner', team: 'ml-platform' },
  ];
  const specs = makeModelSpecs(root.fork('model-names'), size, teamSpecs);

  const ctx: BuildContext = {
    teams: new Map(teamSpecs.map((t) => [t.slug, t])),
    peopleByTeam: groupBy(people, (p) => p.team),
    people,
    serviceAccounts,
    nextExperimentId: new Map(),
  };
  const models = specs.map((spec) => buildModel(root.fork('model', spec.key), spec, ctx));

  return {
    seed,
    name: 'Acme Analytics',
    epochMs: DEMO_EPOCH_MS,
    emailDomain: DEMO_EMAIL_DOMAIN,
    githubOrg: DEMO_GITHUB_ORG,
    gitlabGroup: DEMO_GITLAB_GROUP,
    mlflowInstances: [...DEMO_MLFLOW_INSTANCES],
    teams: teamSpecs.map(({ slug, name, jira }) => ({ slug, name, jiraProjectKey: jira })),
    people,
    serviceAccounts,
    models,
  };
}

interface BuildContext {
  teams: Map<string, TeamSpec>;
  peopleByTeam: Map<string, DemoPerson[]>;
  people: DemoPerson[];
  serviceAccounts: DemoServiceAccount[];
  nextExperimentId: Map<string, number>;
}

function peopleCount(models: number): number {
  return Math.min(FIRST_NAMES.length * LAST_NAMES.length, Math.max(14, Math.round(models * 0.75)));
}

function makeTeams(rng: Prng, models: number): TeamSpec[] {
  const wanted = Math.max(CURATED_TEAMS.length, Math.ceil(models / 40));
  const teams = CURATED_TEAMS.slice();
  if (wanted <= teams.length) return teams;
  const slugs = new Set(teams.map((t) => t.slug));
  const keys = new Set(teams.map((t) => t.jira));
  const combos = rng.shuffle(TEAM_AREAS.flatMap((area) => TEAM_UNITS.map((unit) => `${area} ${unit}`)));
  for (let i = 0; teams.length < wanted; i++) {
    const base = combos[i % combos.length]!;
    const name = i < combos.length ? base : `${base} ${Math.floor(i / combos.length) + 1}`;
    const slug = slugify(name);
    if (slugs.has(slug)) continue;
    let jira = name.split(/\s+/).map((w) => w[0]!.toUpperCase()).join('').slice(0, 4);
    for (let n = 2; keys.has(jira) || jira.length < 2; n++) jira = `${jira.replace(/\d+$/, '')}${n}`;
    slugs.add(slug);
    keys.add(jira);
    teams.push({ slug, name, jira, gitHost: rng.chance(0.2) ? 'gitlab' : 'github' });
  }
  return teams;
}

function makePeople(rng: Prng, teams: TeamSpec[], count: number): DemoPerson[] {
  const combos = rng.shuffle(FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => [first, last] as const)));
  const githubLogins = new Set<string>();
  const gitlabNames = new Set<string>();
  const people: DemoPerson[] = [];
  for (let i = 0; i < count; i++) {
    const [first, last] = combos[i]!;
    const f = asciiLower(first);
    const l = asciiLower(last);
    const id = `${f}.${l}`;
    const email = `${f}.${l}@${DEMO_EMAIL_DOMAIN}`;
    // The first members are spread over every team so each team has people to own its models.
    const team = i < teams.length * 2 ? teams[i % teams.length]!.slug : rng.pick(teams).slug;
    const githubLogin = unique(
      githubLogins,
      rng.pick([`${f}${l}`, `${f[0]}${l}`, `${f}-${l}`, `${f}${l[0]}-acme`, `${l}${f[0]}`]),
    );
    const gitlabUsername = unique(gitlabNames, rng.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}_${l}`]));
    let mlflowUserId = email;
    // Identity oddities on fixed positions, so the default org always has them.
    if (i % 11 === 3) mlflowUserId = `${f[0]}${l}`;
    else if (i % 23 === 7) mlflowUserId = `${first}.${asciiTitle(last)}@${DEMO_EMAIL_DOMAIN.replace('acme', 'Acme')}`;
    people.push({
      id,
      displayName: `${first} ${last}`,
      email,
      team,
      githubLogin,
      gitlabUsername,
      mlflowUserId,
      jiraAccountId: `${rng.pick(['5b10', '5d5c', '6012', '7120'])}${rng.hex(20)}`,
      active: i % 17 !== 9,
    });
  }
  return people;
}

function makeModelSpecs(rng: Prng, size: number, teams: TeamSpec[]): ModelSpec[] {
  const specs = CURATED_MODELS.slice(0, size);
  if (size <= CURATED_MODELS.length) return specs;
  const used = new Set(specs.map((s) => s.key));
  const combos: Array<[string, DemoTaskType]> = [];
  for (const d of DOMAIN_WORDS) {
    for (const o of OBJECT_WORDS) {
      if (d === o) continue;
      for (const [suffix, task] of SUFFIX_TASKS) combos.push([`${d}-${o}-${suffix}`, task]);
    }
  }
  const order = rng.shuffle(combos);
  for (let i = 0; specs.length < size; i++) {
    const round = Math.floor(i / order.length);
    const [base, task] = order[i % order.length]!;
    // Past the plain combinations, regional variants: `-emea`, …, then `-emea-2`, ….
    const region = REGION_SUFFIXES[(round - 1) % REGION_SUFFIXES.length];
    const lap = Math.floor((round - 1) / REGION_SUFFIXES.length);
    const key = round === 0 ? base : `${base}-${region}${lap > 0 ? `-${lap + 1}` : ''}`;
    if (used.has(key)) continue;
    used.add(key);
    const team = rng.pick(teams).slug;
    specs.push({ key, team, task, description: describe(key, task) });
  }
  return specs;
}

function describe(key: string, task: DemoTaskType): string {
  const subject = key.split('-').slice(0, 2).join(' ');
  const what: Record<DemoTaskType, string> = {
    'binary-classification': 'Classifies',
    'multiclass-classification': 'Categorises',
    regression: 'Estimates',
    forecasting: 'Forecasts',
    ranking: 'Ranks candidates by',
    'anomaly-detection': 'Flags anomalies in',
    nlp: 'Reads text to assess',
    'computer-vision': 'Reads images to assess',
  };
  return `${what[task]} ${subject}.`;
}

// ---- one model ----------------------------------------------------------------------------

function buildModel(rng: Prng, spec: ModelSpec, ctx: BuildContext): DemoModel {
  const curated = CURATED_KEYS.has(spec.key);
  const quirks = curated ? QUIRKS[spec.key] ?? {} : randomQuirks(rng.fork('quirks'));
  const team = ctx.teams.get(spec.team)!;
  const members = ctx.peopleByTeam.get(spec.team) ?? ctx.people;
  const owner = pickOwner(rng, members, ctx.people, quirks);
  const repository = makeRepository(rng, spec, team, quirks);

  const instances = quirks.instances ?? [spec.team === 'research' ? 'research' : 'prod'];
  const start = DEMO_EPOCH_MS + rng.int(0, 200) * DAY + rng.int(0, 8) * HOUR;
  const registrations: DemoRegistration[] = [];
  const experiments: DemoExperiment[] = [];
  instances.forEach((instance, i) => {
    const built = buildRegistration(rng.fork('mlflow', instance), {
      spec,
      instance,
      quirks,
      owner,
      members,
      repository,
      start: start + i * rng.int(5, 40) * DAY,
      ctx,
      registeredName: quirks.names?.[instance] ?? spec.key,
    });
    registrations.push(built.registration);
    experiments.push(...built.experiments);
  });

  return {
    key: spec.key,
    displayName: titleCase(spec.key),
    team: spec.team,
    ownerId: owner?.id ?? null,
    description: spec.description,
    task: spec.task,
    repository,
    registrations,
    experiments,
  };
}

/** For generated models: the same oddities as the curated ones, at a low rate. */
function randomQuirks(rng: Prng): Quirks {
  const q: Quirks = {};
  const r = rng.next();
  if (r < 0.1) q.instances = ['research'];
  else if (r < 0.16) q.instances = ['prod', 'research'];
  if (rng.chance(0.03)) q.noOwner = true;
  if (rng.chance(0.02)) q.untraceable = true;
  if (rng.chance(0.04)) q.productionNotApproved = true;
  if (rng.chance(0.03)) q.championNotProduction = true;
  if (rng.chance(0.1)) q.monorepo = true;
  if (rng.chance(0.02)) q.deletedExperiment = true;
  return q;
}

function pickOwner(rng: Prng, members: DemoPerson[], everyone: DemoPerson[], quirks: Quirks): DemoPerson | null {
  if (quirks.noOwner) return null;
  if (quirks.inactiveOwner) {
    const gone = members.find((p) => !p.active) ?? everyone.find((p) => !p.active);
    if (gone) return gone;
  }
  const active = members.filter((p) => p.active);
  return rng.pick(active.length > 0 ? active : members);
}

function makeRepository(rng: Prng, spec: ModelSpec, team: TeamSpec, quirks: Quirks): DemoRepository {
  if (team.gitHost === 'gitlab') {
    const fullName = quirks.monorepo
      ? `${DEMO_GITLAB_GROUP}/${team.slug}/models`
      : `${DEMO_GITLAB_GROUP}/${team.slug}/${spec.key}`;
    return {
      host: 'gitlab',
      fullName,
      url: `https://gitlab.com/${fullName}`,
      defaultBranch: 'main',
      ...(quirks.monorepo ? { path: `models/${spec.key}` } : {}),
    };
  }
  const fullName = quirks.monorepo ? `${DEMO_GITHUB_ORG}/${team.slug}-models` : `${DEMO_GITHUB_ORG}/${spec.key}`;
  return {
    host: 'github',
    fullName,
    url: `https://github.com/${fullName}`,
    // Older repositories never renamed their default branch.
    defaultBranch: rng.chance(0.2) ? 'master' : 'main',
    ...(quirks.monorepo ? { path: `models/${spec.key}` } : {}),
  };
}

interface RegistrationInput {
  spec: ModelSpec;
  instance: string;
  quirks: Quirks;
  owner: DemoPerson | null;
  members: DemoPerson[];
  repository: DemoRepository;
  start: number;
  ctx: BuildContext;
  registeredName: string;
}

function buildRegistration(
  rng: Prng,
  input: RegistrationInput,
): { registration: DemoRegistration; experiments: DemoExperiment[] } {
  const { spec, instance, quirks, ctx } = input;
  const research = instance !== 'prod';
  const versionCount =
    quirks.versions ??
    rng.weighted<number>([[1, 8], [2, 10], [3, 14], [4, 20], [5, 22], [6, 26]]);
  const extraRuns = rng.int(0, 2);
  const runCount = versionCount + extraRuns;
  const experimentCount = runCount >= 5 && rng.chance(0.5) ? 2 : 1;

  const experiments: DemoExperiment[] = [];
  for (let e = 0; e < experimentCount; e++) {
    experiments.push(
      makeExperiment(rng, input, e, nextExperimentId(ctx, instance), input.start - rng.int(1, 48) * HOUR),
    );
  }

  // Which runs produce a registered version: shuffled, but the last run always does, so the
  // newest version is also the newest run in the common case.
  const producesVersion = rng.shuffle([
    ...Array<boolean>(versionCount - 1).fill(true),
    ...Array<boolean>(extraRuns).fill(false),
  ]);
  producesVersion.push(true);

  const git = new GitHistory(rng, input.repository, quirks, research);
  const framework = pickFramework(rng, spec.task);
  const runs: DemoRun[] = [];
  const versionRuns: DemoRun[] = [];
  let t = input.start;
  for (let r = 0; r < runCount; r++) {
    t += rng.int(1, 9) * DAY + rng.int(0, 20) * HOUR + rng.int(0, 59) * MINUTE;
    const experiment = experiments[Math.min(experimentCount - 1, Math.floor((r * experimentCount) / runCount))]!;
    const makesVersion = producesVersion[r]!;
    const run = makeRun(rng, input, {
      experiment,
      startTime: t,
      // A run that ends up as a version finished; the rest are a realistic mix.
      status: makesVersion
        ? 'FINISHED'
        : rng.weighted<DemoRunStatus>([['FINISHED', 50], ['FAILED', 28], ['KILLED', 10], ['RUNNING', 12]]),
      progress: runCount === 1 ? 1 : r / (runCount - 1),
      framework,
      git,
      research,
      registered: makesVersion,
    });
    experiment.runs.push(run);
    runs.push(run);
    if (makesVersion) versionRuns.push(run);
  }

  if (quirks.deletedExperiment && !research) {
    const scratch = makeExperiment(rng, input, 2, nextExperimentId(ctx, instance), input.start + 2 * DAY);
    scratch.name = `${spec.key}-scratch`;
    scratch.lifecycleStage = 'deleted';
    for (let r = 0; r < 2; r++) {
      const run = makeRun(rng, input, {
        experiment: scratch,
        startTime: input.start + (3 + r) * DAY,
        status: r === 0 ? 'FAILED' : 'FINISHED',
        progress: 0,
        framework,
        git,
        research,
        registered: false,
      });
      run.lifecycleStage = 'deleted';
      scratch.runs.push(run);
    }
    scratch.lastUpdateTime = input.start + 20 * DAY;
    experiments.push(scratch);
  }

  const versions = makeVersions(rng, input, versionRuns);
  const aliases = versions.flatMap((v) => v.aliases.map((alias) => ({ alias, version: v.version })));
  const creationTime = versions[0]!.creationTime - rng.int(2, 90) * MINUTE;
  const lastUpdatedTime = Math.max(...versions.map((v) => v.lastUpdatedTime));

  const tags: Record<string, string> = { team: spec.team, task: spec.task };
  if (input.owner) tags.owner = rng.chance(0.8) ? input.owner.email : input.owner.mlflowUserId;
  if (rng.chance(0.7)) tags.repo = input.repository.url;
  if (rng.chance(0.5)) tags.jira_project = ctx.teams.get(spec.team)!.jira;

  const registration: DemoRegistration = {
    instance,
    name: input.registeredName,
    creationTime,
    lastUpdatedTime,
    tags,
    versions,
    aliases,
  };
  // Some registered models were created without a description.
  if (rng.chance(0.85)) registration.description = spec.description;
  return { registration, experiments };
}

function nextExperimentId(ctx: BuildContext, instance: string): string {
  // "0" is MLflow's own Default experiment.
  const id = (ctx.nextExperimentId.get(instance) ?? 0) + 1;
  ctx.nextExperimentId.set(instance, id);
  return String(id);
}

/** Where an MLflow instance keeps artifacts: prod in S3, research proxied (`--serve-artifacts`). */
export function mlflowArtifactRoot(instance: string): string {
  return instance === 'prod' ? 's3://acme-mlflow-prod' : 'mlflow-artifacts:';
}

/** A run's `artifact_uri` as MLflow reports it. */
export function mlflowRunArtifactUri(run: Pick<DemoRun, 'instance' | 'experimentId' | 'id'>): string {
  return `${mlflowArtifactRoot(run.instance)}/${run.experimentId}/${run.id}/artifacts`;
}

function makeExperiment(
  rng: Prng,
  input: RegistrationInput,
  index: number,
  id: string,
  creationTime: number,
): DemoExperiment {
  const { spec, instance, owner } = input;
  let name: string;
  if (instance === 'prod') {
    name = rng.chance(0.5) ? `/Shared/${spec.team}/${spec.key}` : `${spec.key}-training`;
    if (index === 1) name = `${name}-v2`;
  } else {
    const who = owner ?? rng.pick(input.members);
    name = `${who.id.split('.')[0]}-${spec.key}-exploration${index === 1 ? '-2' : ''}`;
  }
  const tags: Record<string, string> = { team: spec.team };
  if (rng.chance(0.4)) tags['mlflow.note.content'] = spec.description;
  return {
    id,
    instance,
    modelKey: spec.key,
    name,
    artifactLocation: `${mlflowArtifactRoot(instance)}/${id}`,
    lifecycleStage: 'active',
    creationTime,
    lastUpdateTime: creationTime,
    tags,
    runs: [],
  };
}

/** Commits and branches a model's runs train from; retraining often reuses a commit. */
class GitHistory {
  private commit: string;
  private branch: string;

  constructor(
    private readonly rng: Prng,
    private readonly repo: DemoRepository,
    private readonly quirks: Quirks,
    private readonly research: boolean,
  ) {
    this.commit = rng.hex(40);
    this.branch = repo.defaultBranch;
  }

  /**
   * `registered`: the run becomes a model version. The org registers only runs from tracked
   * code (the `untraceable` quirk is the deliberate exception), so that UNTRACEABLE_VERSION
   * fires on the demo exactly where it is meant to.
   */
  next(sourceType: 'JOB' | 'NOTEBOOK', userLogin: string, registered: boolean): DemoGitSource | undefined {
    const rng = this.rng;
    if (this.quirks.untraceable) return undefined;
    // Notebooks outside a git checkout leave no git tags at all.
    const untraceableOdds = sourceType === 'NOTEBOOK' ? (this.research ? 0.2 : 0.05) : 0.02;
    if (rng.chance(untraceableOdds)) {
      if (!registered) return undefined;
      // Traced after all, at the current commit. No further draws: the rest of the
      // organisation stays exactly as the same seed always made it.
      const { host, fullName } = this.repo;
      return { repoUrl: `https://${host === 'github' ? 'github.com' : 'gitlab.com'}/${fullName}.git`, commit: this.commit, branch: this.branch };
    }
    if (!rng.chance(0.3)) {
      this.commit = rng.hex(40);
      const kind = rng.weighted(this.research ? BRANCH_KINDS_RESEARCH : BRANCH_KINDS);
      this.branch =
        kind === 'default'
          ? this.repo.defaultBranch
          : kind === 'feature'
            ? `feature/${rng.pick(BRANCH_WORDS)}`
            : `exp/${userLogin}-${rng.pick(BRANCH_WORDS)}`;
    }
    return { repoUrl: this.remoteUrl(sourceType), commit: this.commit, branch: this.branch };
  }

  private remoteUrl(sourceType: 'JOB' | 'NOTEBOOK'): string {
    const { host, fullName } = this.repo;
    const domain = host === 'github' ? 'github.com' : 'gitlab.com';
    if (host === 'gitlab' && sourceType === 'JOB' && this.quirks.ciTokenUrls && this.rng.chance(0.6)) {
      // GitLab CI clones with a job token in the URL, and MLflow records the remote verbatim.
      return `https://gitlab-ci-token:glcbt-${this.rng.hex(20)}@${domain}/${fullName}.git`;
    }
    const form = this.rng.weighted(URL_FORMS);
    if (form === 'ssh') return `git@${domain}:${fullName}.git`;
    return form === 'https' ? `https://${domain}/${fullName}.git` : `https://${domain}/${fullName}`;
  }
}

const BRANCH_KINDS = [['default', 6], ['feature', 3], ['exp', 1]] as const;
const BRANCH_KINDS_RESEARCH = [['default', 6], ['feature', 3], ['exp', 3]] as const;
const URL_FORMS = [['https', 4], ['ssh', 4], ['https-bare', 1]] as const;

type Framework = 'xgboost' | 'lightgbm' | 'sklearn' | 'pytorch' | 'transformers' | 'prophet';

function pickFramework(rng: Prng, task: DemoTaskType): Framework {
  switch (task) {
    case 'nlp':
      return 'transformers';
    case 'computer-vision':
      return 'pytorch';
    case 'forecasting':
      return rng.pick<Framework>(['lightgbm', 'prophet']);
    case 'ranking':
      return rng.pick<Framework>(['lightgbm', 'pytorch']);
    default:
      return rng.pick<Framework>(['xgboost', 'lightgbm', 'sklearn']);
  }
}

interface RunInput {
  experiment: DemoExperiment;
  startTime: number;
  status: DemoRunStatus;
  /** 0 for the first run of a model, 1 for the last: metrics improve along the way. */
  progress: number;
  framework: Framework;
  git: GitHistory;
  research: boolean;
  /** The run becomes a model version. */
  registered: boolean;
}

function makeRun(rng: Prng, input: RegistrationInput, run: RunInput): DemoRun {
  const { spec, instance, ctx } = input;
  // 128 random bits: a collision among even millions of runs is not a practical concern.
  const id = rng.hex(32);

  const bySystem = !run.research && rng.chance(0.25);
  const account = bySystem
    ? input.repository.host === 'gitlab'
      ? ctx.serviceAccounts[1]!
      : ctx.serviceAccounts[0]!
    : undefined;
  const person = account ? null : rng.chance(0.85) ? rng.pick(input.members) : rng.pick(ctx.people);
  const sourceType: 'JOB' | 'NOTEBOOK' = account ? 'JOB' : rng.chance(run.research ? 0.2 : 0.45) ? 'JOB' : 'NOTEBOOK';
  const folder = input.repository.path ?? '.';
  const jobEntry = sourceType === 'JOB' ? rng.int(0, 2) : 0;
  const sourceName =
    sourceType === 'JOB'
      ? jobEntry === 0
        ? `${folder}/train.py`
        : jobEntry === 1
          ? `${folder}/pipelines/train.py`
          : 'train.py'
      : run.research
        ? `notebooks/${spec.key}-exploration.ipynb`
        : `/Users/${person?.email ?? 'unknown'}/${spec.key}/train`;
  const login = person?.githubLogin ?? 'ci';
  const git = run.git.next(sourceType, login, run.registered);

  const duration = rng.int(4, 360) * MINUTE + rng.int(0, 59_999);
  const endTime = run.status === 'RUNNING' ? undefined : run.startTime + duration;
  const metricTime = endTime ?? run.startTime + Math.floor(duration / 3);
  const { metrics, params } = trainingRecord(rng, spec.task, run.framework, run.progress, run.status, metricTime);

  const out: DemoRun = {
    id,
    instance,
    experimentId: run.experiment.id,
    modelKey: spec.key,
    name: `${rng.pick(RUN_ADJECTIVES)}-${rng.pick(RUN_NOUNS)}-${rng.int(0, 999)}`,
    userId: account?.mlflowUserId ?? person!.mlflowUserId,
    personId: person?.id ?? null,
    status: run.status,
    startTime: run.startTime,
    lifecycleStage: 'active',
    sourceType,
    sourceName,
    metrics,
    params,
  };
  if (endTime !== undefined) out.endTime = endTime;
  if (git) out.git = git;
  return out;
}

function trainingRecord(
  rng: Prng,
  task: DemoTaskType,
  framework: Framework,
  progress: number,
  status: DemoRunStatus,
  timestamp: number,
): { metrics: DemoMetric[]; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let steps: number;
  switch (framework) {
    case 'xgboost':
    case 'lightgbm':
      params.model_class = framework === 'xgboost' ? 'XGBClassifier' : 'LGBMModel';
      params.learning_rate = rng.pick(['0.01', '0.03', '0.05', '0.1']);
      params.max_depth = SMALL_INTS[rng.int(3, 12)]!;
      params.n_estimators = rng.pick(ESTIMATORS);
      params.subsample = rng.pick(['0.7', '0.8', '0.9', '1.0']);
      steps = Number(params.n_estimators);
      break;
    case 'sklearn':
      params.model_class = rng.pick(['RandomForestClassifier', 'GradientBoostingRegressor', 'LogisticRegression']);
      params.max_depth = SMALL_INTS[rng.int(4, 20)]!;
      params.n_estimators = rng.pick(ESTIMATORS);
      steps = 0;
      break;
    case 'prophet':
      params.model_class = 'Prophet';
      params.seasonality_mode = rng.pick(['additive', 'multiplicative']);
      params.changepoint_prior_scale = rng.pick(['0.01', '0.05', '0.1', '0.5']);
      steps = 0;
      break;
    default:
      params.model_class = framework === 'transformers' ? rng.pick(['distilbert-base-uncased', 'deberta-v3-small', 'roberta-base']) : rng.pick(['resnet50', 'efficientnet_b2', 'two_tower']);
      params.learning_rate = rng.pick(['1e-5', '2e-5', '3e-4', '1e-3']);
      params.batch_size = rng.pick(BATCH_SIZES);
      params.epochs = SMALL_INTS[rng.int(3, 30)]!;
      params.optimizer = rng.pick(['adamw', 'adam', 'sgd']);
      steps = Number(params.epochs);
  }
  // A run that died early logged fewer steps and worse numbers.
  const incomplete = status === 'FAILED' || status === 'KILLED' || status === 'RUNNING';
  if (incomplete) steps = Math.floor(steps * rng.float(0.1, 0.7));
  const quality = Math.min(1, Math.max(0, 0.25 + 0.6 * progress + rng.float(-0.12, 0.12) - (incomplete ? 0.3 : 0)));

  const metrics: DemoMetric[] = [];
  for (const [key, from, to] of METRIC_PROFILES[task]) {
    metrics.push({ key, value: round4(from + (to - from) * quality), step: steps, timestamp });
  }
  return { metrics, params };
}

// Shared strings: a 10,000-model org has ~55,000 runs, and fresh number strings for each
// param were a measurable part of generating it.
const SMALL_INTS = Array.from({ length: 31 }, (_, i) => String(i));
const ESTIMATORS = ['100', '150', '200', '300', '400', '500', '600', '800'];
const BATCH_SIZES = ['16', '32', '64', '128', '256', '512'];

/** Metric, value of a poor model, value of a good one (lower is better when from > to). */
const METRIC_PROFILES: Record<DemoTaskType, ReadonlyArray<readonly [string, number, number]>> = {
  'binary-classification': [['accuracy', 0.8, 0.97], ['f1', 0.55, 0.92], ['auc', 0.75, 0.985], ['loss', 0.55, 0.08]],
  nlp: [['accuracy', 0.78, 0.95], ['f1', 0.55, 0.9], ['loss', 0.9, 0.12]],
  'multiclass-classification': [['accuracy', 0.7, 0.95], ['f1_macro', 0.5, 0.9], ['loss', 1.4, 0.15]],
  'computer-vision': [['accuracy', 0.72, 0.96], ['top5_accuracy', 0.88, 0.995], ['loss', 1.6, 0.2]],
  regression: [['rmse', 38, 9], ['mae', 27, 6], ['r2', 0.55, 0.93]],
  forecasting: [['rmse', 140, 42], ['mape', 0.32, 0.06], ['wape', 0.28, 0.05]],
  ranking: [['ndcg_at_10', 0.32, 0.71], ['map_at_10', 0.2, 0.55], ['recall_at_50', 0.4, 0.86]],
  'anomaly-detection': [['auc', 0.7, 0.97], ['precision_at_100', 0.3, 0.9], ['recall', 0.4, 0.85]],
};

function makeVersions(rng: Prng, input: RegistrationInput, runs: DemoRun[]): DemoModelVersion[] {
  const { quirks, instance } = input;
  const n = runs.length;
  const stages = assignStages(rng, n, quirks);
  const newest = n - 1;
  const statuses: DemoVersionStatus[] = stages.map(() => 'READY');
  if (quirks.newestStatus) {
    statuses[newest] = quirks.newestStatus;
    stages[newest] = 'None';
  } else if (stages[newest] === 'None' && n > 1) {
    statuses[newest] = rng.weighted<DemoVersionStatus>([['READY', 96], ['PENDING_REGISTRATION', 2], ['FAILED_REGISTRATION', 2]]);
  }

  const versions = runs.map((run, i): DemoModelVersion => {
    const creationTime = (run.endTime ?? run.startTime) + rng.int(3, 240) * MINUTE;
    const stage = stages[i]!;
    const status = statuses[i]!;
    const v: DemoModelVersion = {
      version: i + 1,
      stage,
      status,
      runId: run.id,
      source: versionSource(rng, instance, run, creationTime),
      userId: run.userId,
      personId: run.personId,
      creationTime,
      lastUpdatedTime: stage === 'None' ? creationTime : creationTime + rng.int(1, 12) * DAY + rng.int(0, 23) * HOUR,
      tags: {},
      aliases: [],
    };
    if (status === 'FAILED_REGISTRATION') {
      v.statusMessage = 'Failed to copy model artifacts to the registry location: AccessDenied (s3:PutObject).';
    } else if (status === 'PENDING_REGISTRATION') {
      v.statusMessage = 'Copying model artifacts.';
    }
    if (rng.chance(0.3)) v.description = rng.pick(VERSION_NOTES);
    if (stage === 'Production') v.tags.validation_status = quirks.productionNotApproved ? 'pending' : 'approved';
    else if (stage === 'Staging') v.tags.validation_status = rng.chance(0.6) ? 'approved' : 'pending';
    else if (stage === 'Archived') v.tags.validation_status = rng.chance(0.8) ? 'approved' : 'rejected';
    else if (rng.chance(0.4)) v.tags.validation_status = 'pending';
    if (rng.chance(0.5)) v.tags.framework = run.params.model_class ?? 'unknown';
    return v;
  });

  const production = versions.find((v) => v.stage === 'Production');
  if (production) {
    let champion = production;
    if (quirks.championNotProduction) {
      champion = versions.find((v) => v.stage === 'Archived') ?? versions.find((v) => v !== production) ?? production;
    }
    if (quirks.championNotProduction || rng.chance(0.85)) champion.aliases.push('champion');
  } else if (!quirks.neverPromoted && rng.chance(0.2)) {
    // Not `champion`: that alias names the version that serves production, and a model with
    // no production version has none.
    const staging = versions.find((v) => v.stage === 'Staging');
    if (staging) staging.aliases.push('candidate');
  }
  // A challenger is a newer candidate than what serves production.
  const after = production ? production.version : 0;
  const candidates = versions.filter(
    (v) => v.version > after && v.status === 'READY' && v.stage !== 'Archived' && v.aliases.length === 0,
  );
  const challenger = candidates[candidates.length - 1];
  if (challenger && !quirks.neverPromoted && rng.chance(0.45)) challenger.aliases.push('challenger');
  return versions;
}

function assignStages(rng: Prng, n: number, quirks: Quirks): DemoStage[] {
  const stages: DemoStage[] = Array<DemoStage>(n).fill('None');
  if (quirks.neverPromoted) return stages;
  if (n === 1) {
    if (quirks.productionNotApproved || quirks.championNotProduction) return ['Production'];
    stages[0] = rng.weighted<DemoStage>([['Production', 45], ['Staging', 25], ['None', 30]]);
    return stages;
  }
  const hasProduction = quirks.productionNotApproved || quirks.championNotProduction || rng.chance(0.7);
  if (hasProduction) {
    const prod = rng.chance(0.45) ? n - 1 : n - 2;
    stages[prod] = 'Production';
    for (let i = 0; i < prod; i++) stages[i] = rng.chance(0.75) ? 'Archived' : 'None';
    for (let i = prod + 1; i < n; i++) stages[i] = rng.chance(0.5) ? 'Staging' : 'None';
    if (quirks.championNotProduction && !stages.includes('Archived') && prod > 0) stages[0] = 'Archived';
  } else {
    stages[n - 1] = rng.chance(0.5) ? 'Staging' : 'None';
    for (let i = 0; i < n - 1; i++) stages[i] = rng.chance(0.5) ? 'Archived' : 'None';
  }
  if (quirks.twoStaging && n >= 3) {
    // Two versions left in Staging: promotion was done by hand and the old one never archived.
    const prod = stages.indexOf('Production');
    stages[n - 1] = 'Staging';
    stages[prod === n - 2 ? n - 3 : n - 2] = 'Staging';
  }
  return stages;
}

function versionSource(rng: Prng, instance: string, run: DemoRun, creationTime: number): string {
  if (instance === 'prod') {
    // From mid-2025 the prod server runs MLflow 3, whose versions point at logged models.
    if (creationTime > DEMO_EPOCH_MS + 150 * DAY && rng.chance(0.8)) return `models:/m-${rng.hex(32)}`;
    return `${mlflowRunArtifactUri(run)}/model`;
  }
  return rng.chance(0.5) ? `runs:/${run.id}/model` : `${mlflowRunArtifactUri(run)}/model`;
}

// ---- small helpers ----------------------------------------------------------------------

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function unique(used: Set<string>, wanted: string): string {
  let candidate = wanted;
  for (let n = 2; used.has(candidate); n++) candidate = `${wanted}${n}`;
  used.add(candidate);
  return candidate;
}

function asciiLower(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function asciiTitle(s: string): string {
  const lower = asciiLower(s);
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function titleCase(key: string): string {
  return key
    .split('-')
    .map((w) => (w === 'llm' || w === 'aml' || w === 'kyc' || w === 'ltv' || w === 'eta' || w === 'ctr' ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
