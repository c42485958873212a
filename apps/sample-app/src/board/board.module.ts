import { Module } from '@nestjs/common';
import { BoardDataController } from './board-data.controller.js';
import { BoardController } from './board.controller.js';

/** The operator's board: its page and assets, and the data it reads. */
@Module({ controllers: [BoardController, BoardDataController] })
export class BoardModule {}
