/** What payments are denominated in. Kept in the page's localStorage until payments move to the worker. */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type PayCurrency = 'btc' | 'usd';

interface PayCurrencyState {
  currency: PayCurrency;
  setCurrency: (currency: PayCurrency) => void;
}

export const usePayCurrency = create<PayCurrencyState>()(
  persist((set) => ({ currency: 'btc', setCurrency: (currency) => set({ currency }) }), {
    name: 'satnav.payCurrency',
    storage: createJSONStorage(() => localStorage),
    partialize: (s) => ({ currency: s.currency }),
  }),
);
