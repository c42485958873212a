import {
  InvalidInputError,
  PHONE_VERIFICATION_LEDGER,
  type UsageLedger,
} from '@app/phone-verification';
import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeys } from '../auth/api-keys.js';
import { OperatorOnly } from '../auth/public.decorator.js';
import {
  ForgetRequestDto,
  MAX_USAGE_DAYS,
  UsageQueryDto,
  usageRangeProblem,
} from './ledger-requests.dto.js';
import { fromLedger } from './ledger-required.js';
import { usageAnswer, usageCsv } from './usage-answer.js';

/**
 * The operator's endpoints on the usage ledger, for operator keys only
 * (`SAMPLE_APP_OPERATOR_KEYS`): what was spent per China day, for
 * reconciling with AceData's bill, and deleting one person's rows.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'A caller key, not an operator key' })
@OperatorOnly()
@Controller()
export class LedgerController {
  constructor(
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
    private readonly keys: ApiKeys,
  ) {}

  @Get('usage')
  @ApiOperation({
    summary:
      'Per China day: upstream calls, billed, may have billed, cache hits, shared answers, budget refusals',
  })
  async usage(@Query() query: UsageQueryDto) {
    const problem = usageRangeProblem(query.from, query.to, MAX_USAGE_DAYS);
    if (problem)
      throw new InvalidInputError([{ field: 'to', message: problem }]);
    const report = await fromLedger(this.ledger, (ledger) =>
      ledger.usage({
        from: query.from,
        to: query.to,
        // A caller's name (name=key) or its id.
        caller: this.keys.callerIdOf(query.caller),
      }),
    );
    return usageAnswer(report);
  }

  @Get('usage.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({
    summary:
      'The same report as CSV for finance: a line per China day, then a total line',
  })
  async usageCsv(
    @Query() query: UsageQueryDto,
    @Res({ passthrough: true })
    response: { header(n: string, v: string): unknown },
  ): Promise<string> {
    const answer = await this.usage(query);
    response.header(
      'Content-Disposition',
      `attachment; filename="usage-${answer.from}-${answer.to}.csv"`,
    );
    return usageCsv(answer);
  }

  @Post('ledger/forget')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Erase one person from every ledger row about them (PIPL’s right to deletion); the money facts stay',
  })
  async forget(@Body() body: ForgetRequestDto) {
    const deleted = await fromLedger(this.ledger, (ledger) =>
      ledger.forget({
        name: body.name,
        phone: body.phone,
        idCard: body.id_card,
      }),
    );
    return { deleted };
  }
}
