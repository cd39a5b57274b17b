import type { DisplayProfile } from '../../calibration/index.js';
import {
  type ComputerCall,
  type FunctionOutput,
  lightcone,
  openai,
  type ResponseObject,
  replayItems,
  type SafetyCheck,
  type ScreenshotOutputType,
} from '../protocol/index.js';

/** A 1x1 grey PNG standing in for screenshots left out of a request (older history, extra calls). */
export const BLANK_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB3UNq9AAAAABJRU5ErkJggg==';

/** Copies of the screenshot in one request's call outputs; bounds a request's size. */
export const MAX_SCREENSHOTS_PER_REQUEST = 4;

export interface TurnRequestOptions {
  provider: 'lightcone' | 'openai';
  model: string;
  profile: DisplayProfile;
  instructions?: string;
  stream: boolean;
  /** false: stateless, resend the history each turn. */
  chain: boolean;
  /** Stateless mode: screenshots kept in the resent history (older ones are blanked). */
  keepScreenshots: number;
  /** OpenAI: the computer tool (default: from the model name). */
  openaiTool?: 'computer_use_preview' | 'computer';
  /** Lightcone: offer the `done` function tool. */
  doneTool?: boolean;
  /** Lightcone: how a screenshot answers a call. */
  screenshotOutput?: ScreenshotOutputType;
}

/** What a finished turn leaves to answer. */
export interface AnsweredTurn {
  response: ResponseObject;
  calls: { call: ComputerCall; acknowledged: SafetyCheck[] }[];
  functionOutputs: FunctionOutput[];
}

/**
 * The create bodies of a run, turn by turn, for either provider: chaining or the stateless history,
 * streaming or not (a run may fall back to plain requests half way: see useStreaming).
 */
export class TurnRequests {
  private history: Record<string, unknown>[] = [];
  private streaming: boolean;

  constructor(private readonly options: TurnRequestOptions) {
    this.streaming = options.stream;
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Switches streaming off for the rest of the run (an unusable stream); returns the body anew. */
  withoutStreaming(body: Record<string, unknown>): Record<string, unknown> {
    this.streaming = false;
    const plain: Record<string, unknown> = { ...body, stream: false };
    delete plain.background;
    return plain;
  }

  first(task: string, screenshot: string): Record<string, unknown> {
    const turn = { ...this.common(), task, screenshot };
    const body =
      this.options.provider === 'openai'
        ? openai.buildFirstTurn({ ...turn, ...this.openaiOptions() })
        : lightcone.buildFirstTurn({ ...turn, ...this.lightconeOptions() });
    this.history = [...((body.input as Record<string, unknown>[]) ?? [])];
    return body;
  }

  /**
   * The next request: one output per call, each with the fresh screenshot as the official examples
   * send it, but at most MAX_SCREENSHOTS_PER_REQUEST times (the last calls; earlier ones carry a 1x1
   * stand-in), so a response of a thousand calls does not make a request of a thousand screenshots;
   * then function outputs and messages for the model.
   */
  next(turn: AnsweredTurn, screenshot: string, messages: string[]): Record<string, unknown> {
    const { chain } = this.options;
    const firstWithScreenshot = turn.calls.length - MAX_SCREENSHOTS_PER_REQUEST;
    const outputs = turn.calls.map(({ call, acknowledged }, index) => ({
      callId: call.callId,
      screenshot: index >= firstWithScreenshot ? screenshot : BLANK_PNG,
      acknowledgedSafetyChecks: acknowledged,
    }));
    const common = {
      ...this.common(),
      outputs,
      functionOutputs: turn.functionOutputs,
      messages,
      previousResponseId: chain ? turn.response.id : undefined,
      replay: chain ? undefined : this.stateless(turn.response),
    };
    const body =
      this.options.provider === 'openai'
        ? openai.buildNextTurn({ ...common, ...this.openaiOptions() })
        : lightcone.buildNextTurn({ ...common, ...this.lightconeOptions() });
    if (!chain) this.history = [...((body.input as Record<string, unknown>[]) ?? [])];
    return body;
  }

  private common() {
    const { options } = this;
    return {
      model: options.model,
      display: options.profile.viewport,
      instructions: options.instructions,
      stream: this.streaming,
    };
  }

  /** The history to resend without chaining, keeping only the newest screenshots. */
  private stateless(response: ResponseObject): Record<string, unknown>[] {
    const history = [...this.history, ...replayItems(response)];
    let kept = this.options.keepScreenshots - 1; // the new screenshot is one of them
    for (let i = history.length - 1; i >= 0; i--) {
      const item = history[i] as {
        output?: { image_url?: string };
        content?: { type: string; image_url?: string }[];
      };
      const images = [
        ...(item.output?.image_url ? [item.output] : []),
        ...(item.content ?? []).filter((part) => part.type === 'input_image'),
      ];
      for (const image of images) {
        if (image.image_url === BLANK_PNG) continue;
        if (kept > 0) kept--;
        else image.image_url = BLANK_PNG;
      }
    }
    return history;
  }

  private openaiOptions(): openai.OpenAIOptions {
    const tool = this.options.openaiTool ?? openai.toolForModel(this.options.model);
    return {
      tool,
      // Only a background response can be cancelled on the server, and resumed after a drop.
      background: this.streaming,
      reasoningSummary: openai.reasoningSummaryFor(tool),
    };
  }

  private lightconeOptions(): lightcone.LightconeOptions {
    return { doneTool: this.options.doneTool, screenshotOutput: this.options.screenshotOutput };
  }
}
