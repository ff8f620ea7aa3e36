import '@testing-library/jest-dom';

// @material-table/core (under core-components' Table) still uses defaultProps on function
// components; React 18 warns once per component. Those warnings are about the library, not
// about this plugin, so they are dropped; every other console.error stays.
// eslint-disable-next-line no-console
const consoleError = console.error;
beforeAll(() => {
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (
      typeof args[0] === 'string' &&
      args[0].includes('Support for defaultProps will be removed')
    ) {
      return;
    }
    consoleError(...args);
  });
});
