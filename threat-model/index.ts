import type { ThreatModel } from '../src/threatmodel/model.ts';
import type { ThreatRegister } from '../src/threatmodel/register.ts';
import { gatehouseModel } from './gatehouse.ts';
import { pizzaModel, pizzaRegister } from './pizza.ts';
import { GATEHOUSE_REGISTER } from './register.ts';

export interface ShippedModel {
  readonly model: ThreatModel;
  readonly register: ThreatRegister;
  /** Compare the model with Gatehouse's live route table (only for Gatehouse's own model). */
  readonly checkRoutes: boolean;
}

/** The models `gatehouse threats` knows by name; the first is the default. */
export const SHIPPED_MODELS: Readonly<Record<string, ShippedModel>> = {
  gatehouse: { model: gatehouseModel, register: GATEHOUSE_REGISTER, checkRoutes: true },
  pizza: { model: pizzaModel, register: pizzaRegister, checkRoutes: false },
};
