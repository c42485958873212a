import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  StreamableFile,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { BOARD_CSP, loadBoardAssets } from './board-assets.js';

/**
 * `GET /board`: the operator's board, a static page and its assets. They
 * hold no data and need no key (a browser cannot send one on navigation);
 * the page signs in with an operator key and reads the operator endpoints
 * (`/board/summary`, `/board/verifications`, `/usage`) with it.
 */
@ApiExcludeController()
@Public()
@Controller('board')
export class BoardController {
  private readonly files = loadBoardAssets();

  @Get()
  @Header('Content-Security-Policy', BOARD_CSP)
  @Header('Cache-Control', 'no-store')
  page(): StreamableFile {
    const { body, type } = this.files.page;
    return new StreamableFile(body, { type, length: body.length });
  }

  @Get('assets/:file')
  @Header('Content-Security-Policy', BOARD_CSP)
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string): StreamableFile {
    const asset = this.files.assets.get(file);
    if (!asset) throw new NotFoundException();
    return new StreamableFile(asset.body, {
      type: asset.type,
      length: asset.body.length,
    });
  }
}
