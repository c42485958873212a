import { InvalidPhoneVerificationEnvError } from '@app/phone-verification';
import { loadSampleAppConfig } from './sample-app.config.js';

const ENV = {
  ACEDATA_API_TOKEN: 'config-spec-token',
  ACEDATA_BASE_URL: 'http://127.0.0.1:9',
  ACEDATA_TIMEOUT_MS: '2500',
  SAMPLE_APP_API_KEYS: 'config-spec-key-0001',
};

describe('the sample app’s configuration', () => {
  it('a bad variable of its own fails the boot in the library’s format, as an InvalidPhoneVerificationEnvError', () => {
    let thrown: unknown;
    try {
      loadSampleAppConfig({ ...ENV, PORT: 'eighty' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPhoneVerificationEnvError);
    expect(thrown).toMatchObject({
      variable: 'PORT',
      message:
        'Invalid configuration: PORT must be a whole number from 0 to 65535',
    });
  });
});
