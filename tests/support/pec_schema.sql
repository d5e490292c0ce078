-- A PEC-shaped PostgreSQL schema for the tests: the tables pec-tui reads or writes and the ones
-- they reference, as a real PEC database defines them (names, types, lengths, NOT NULLs, keys,
-- foreign keys, integer 0/1 flags, seq_<table> sequences with no column default), written from
-- the public facts in ../shared/REFERENCE.md (an inspectdb of a real PEC database) plus what is
-- known of PEC 5.5 (tb_usuario.st_termo_teleinterconsulta; audit triggers feeding ta_* tables).
-- tests/support/pec_database.py loads it, adds PEC's reference rows, and fingerprints it.

CREATE TABLE tb_config_sistema (
    co_config_sistema varchar(255) NOT NULL,
    ds_config_sistema varchar(255) NOT NULL,
    st_disponivel_sistema integer NOT NULL,
    ds_texto varchar(255),
    ds_inteiro integer,
    ds_binario bytea,
    PRIMARY KEY (co_config_sistema)
);

CREATE TABLE tb_pais (
    co_pais bigint NOT NULL,
    sg_pais_2 varchar(2) NOT NULL,
    sg_pais_3 varchar(3),
    no_pais_portugues varchar(72) NOT NULL,
    no_pais_ingles varchar(72),
    no_pais_portugues_filtro varchar(72),
    co_pais_cadsus varchar(3),
    st_ativo integer,
    PRIMARY KEY (co_pais)
);

CREATE TABLE tb_uf (
    co_uf bigint NOT NULL,
    co_pais bigint NOT NULL,
    sg_uf varchar(2) NOT NULL,
    nu_dne varchar(2) NOT NULL,
    no_uf varchar(72) NOT NULL,
    no_identificador varchar(2) NOT NULL,
    PRIMARY KEY (co_uf),
    FOREIGN KEY (co_pais) REFERENCES tb_pais (co_pais)
);

CREATE TABLE tb_tipo_localidade (
    co_tipo_localidade bigint NOT NULL,
    no_tipo_localidade varchar(100) NOT NULL,
    sg_tipo_localidade varchar(1) NOT NULL,
    no_identificador varchar(30),
    PRIMARY KEY (co_tipo_localidade)
);

CREATE TABLE tb_situacao_localidade (
    co_situacao_localidade bigint NOT NULL,
    no_situacao_localidade varchar(100) NOT NULL,
    sg_situacao_localidade varchar(1) NOT NULL,
    PRIMARY KEY (co_situacao_localidade)
);

CREATE TABLE tb_localidade (
    co_localidade bigint NOT NULL,
    co_uf bigint NOT NULL,
    nu_dne varchar(8) NOT NULL,
    no_localidade varchar(72) NOT NULL,
    nu_cep varchar(8),
    tp_localidade bigint NOT NULL,
    co_situacao_localidade bigint NOT NULL,
    co_ibge varchar(7),
    no_localidade_filtro varchar(72) NOT NULL,
    st_ativo integer,
    PRIMARY KEY (co_localidade),
    FOREIGN KEY (co_uf) REFERENCES tb_uf (co_uf),
    UNIQUE (nu_dne),
    FOREIGN KEY (tp_localidade) REFERENCES tb_tipo_localidade (co_tipo_localidade),
    FOREIGN KEY (co_situacao_localidade) REFERENCES tb_situacao_localidade (co_situacao_localidade)
);

CREATE TABLE tb_ator (
    co_seq_ator bigint NOT NULL,
    PRIMARY KEY (co_seq_ator)
);

CREATE SEQUENCE seq_tb_ator;

CREATE TABLE tb_usuario (
    co_seq_usuario bigint NOT NULL,
    st_bloqueado integer NOT NULL,
    ds_senha varchar(255),
    st_trocar_senha integer NOT NULL,
    co_ator bigint,
    dt_ultima_atualizacao_senha date,
    st_termo_uso integer,
    st_forcar_troca_senha integer NOT NULL,
    nr_tentativas_acesso integer NOT NULL,
    ds_login varchar(255),
    dt_envio_email_recuperar_senha timestamp,
    st_visualizou_novidades integer,
    st_pesquisa_respondida integer,
    dt_primeiro_login_versao timestamp,
    dt_pesquisa_respondida timestamp,
    st_termo_teleinterconsulta integer,
    PRIMARY KEY (co_seq_usuario),
    FOREIGN KEY (co_ator) REFERENCES tb_ator (co_seq_ator),
    UNIQUE (ds_login)
);

CREATE SEQUENCE seq_tb_usuario;

CREATE TABLE tb_conselho_classe (
    co_conselho_classe bigint NOT NULL,
    sg_conselho_classe varchar(255),
    no_conselho_classe varchar(200),
    no_curto_conselho varchar(400),
    no_conselho_classe_filtro varchar(255),
    PRIMARY KEY (co_conselho_classe)
);

CREATE TABLE tb_tipo_logradouro (
    co_tipo_logradouro bigint NOT NULL,
    nu_dne varchar(3) NOT NULL,
    no_tipo_logradouro varchar(144) NOT NULL,
    no_tipo_logradouro_filtro varchar(144) NOT NULL,
    co_tp_logradouro_cadsus varchar(3),
    nu_frequencia bigint NOT NULL,
    st_ativo integer,
    PRIMARY KEY (co_tipo_logradouro),
    UNIQUE (nu_dne)
);

CREATE TABLE tb_prof (
    co_seq_prof bigint NOT NULL,
    nu_conselho_classe varchar(100),
    co_uf_emissora_conselho_classe bigint,
    co_conselho_classe bigint,
    nu_cpf varchar(11),
    nu_cns varchar(16),
    no_profissional varchar(500),
    no_profissional_filtro varchar(600),
    dt_nascimento date,
    nu_telefone varchar(255),
    ds_email varchar(255),
    ds_cep varchar(8),
    ds_complemento varchar(50),
    ds_ponto_referencia varchar(100),
    ds_logradouro varchar(150),
    co_uf bigint,
    co_localidade_endereco bigint,
    nu_numero varchar(20),
    st_sem_numero integer,
    no_bairro varchar(255),
    no_bairro_filtro varchar(255),
    tp_logradouro bigint,
    co_usuario bigint,
    no_sexo varchar(24),
    PRIMARY KEY (co_seq_prof),
    FOREIGN KEY (co_uf_emissora_conselho_classe) REFERENCES tb_uf (co_uf),
    FOREIGN KEY (co_conselho_classe) REFERENCES tb_conselho_classe (co_conselho_classe),
    FOREIGN KEY (co_uf) REFERENCES tb_uf (co_uf),
    FOREIGN KEY (co_localidade_endereco) REFERENCES tb_localidade (co_localidade),
    FOREIGN KEY (tp_logradouro) REFERENCES tb_tipo_logradouro (co_tipo_logradouro),
    FOREIGN KEY (co_usuario) REFERENCES tb_usuario (co_seq_usuario)
);

CREATE SEQUENCE seq_tb_prof;

CREATE TABLE tb_ator_papel (
    co_seq_ator_papel bigint NOT NULL,
    no_tipo_ator_papel varchar(100),
    co_prof bigint,
    ds_modulo_inicial varchar(255),
    st_ativo integer,
    PRIMARY KEY (co_seq_ator_papel),
    FOREIGN KEY (co_prof) REFERENCES tb_prof (co_seq_prof)
);

CREATE SEQUENCE seq_tb_ator_papel;

CREATE TABLE tb_adm_geral (
    co_ator_papel bigint NOT NULL,
    st_instalacao_terminada integer,
    PRIMARY KEY (co_ator_papel),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_ator_papel (co_seq_ator_papel)
);

CREATE TABLE tb_adm_municipal (
    co_ator_papel bigint NOT NULL,
    co_localidade bigint,
    ds_autorizacao varchar(225),
    st_instalacao_terminada integer,
    dt_inativacao timestamp,
    dt_adicao timestamp,
    PRIMARY KEY (co_ator_papel),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_ator_papel (co_seq_ator_papel),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE TABLE tb_cbo (
    co_cbo bigint NOT NULL,
    no_cbo varchar(255) NOT NULL,
    no_cbo_filtro varchar(255) NOT NULL,
    co_cbo_2002 varchar(10) NOT NULL,
    st_disponivel_lotacao integer,
    PRIMARY KEY (co_cbo)
);

CREATE TABLE tb_tipo_unidade_saude (
    co_seq_tipo_unidade_saude bigint NOT NULL,
    no_tipo_unidade_saude varchar(120) NOT NULL,
    co_tipo_unidade_cnes bigint NOT NULL,
    PRIMARY KEY (co_seq_tipo_unidade_saude),
    UNIQUE (co_tipo_unidade_cnes)
);

CREATE SEQUENCE seq_tb_tipo_unidade_saude;

CREATE TABLE tb_subtipo_unidade_saude (
    co_seq_subtp_unidade_saude bigint NOT NULL,
    co_tp_unidade_saude bigint NOT NULL,
    co_subtp_unidade_saude varchar(3) NOT NULL,
    ds_subtp_unidade_saude varchar(255) NOT NULL,
    PRIMARY KEY (co_seq_subtp_unidade_saude),
    FOREIGN KEY (co_tp_unidade_saude) REFERENCES tb_tipo_unidade_saude (co_seq_tipo_unidade_saude),
    UNIQUE (co_tp_unidade_saude, co_subtp_unidade_saude)
);

CREATE SEQUENCE seq_tb_subtipo_unidade_saude;

CREATE TABLE tb_unidade_saude (
    nu_licenca_funcionamento varchar(20),
    tp_unidade_saude bigint,
    co_seq_unidade_saude bigint NOT NULL,
    nu_cnes varchar(20),
    st_ativo integer,
    nu_cnpj varchar(14),
    no_unidade_saude varchar(255),
    no_unidade_saude_filtro varchar(255),
    nu_telefone_comercial varchar(255),
    nu_telefone_comercial2 varchar(255),
    nu_telefone_fax varchar(255),
    ds_email varchar(255),
    ds_cep varchar(8),
    ds_complemento varchar(50),
    ds_ponto_referencia varchar(100),
    ds_logradouro varchar(150),
    co_uf bigint,
    co_localidade_endereco bigint,
    nu_numero varchar(20),
    st_sem_numero integer,
    no_bairro varchar(255),
    no_bairro_filtro varchar(255),
    tp_logradouro bigint,
    co_subtp_unidade_saude bigint,
    PRIMARY KEY (co_seq_unidade_saude),
    FOREIGN KEY (tp_unidade_saude) REFERENCES tb_tipo_unidade_saude (co_seq_tipo_unidade_saude),
    FOREIGN KEY (co_uf) REFERENCES tb_uf (co_uf),
    FOREIGN KEY (co_localidade_endereco) REFERENCES tb_localidade (co_localidade),
    FOREIGN KEY (tp_logradouro) REFERENCES tb_tipo_logradouro (co_tipo_logradouro),
    FOREIGN KEY (co_subtp_unidade_saude) REFERENCES tb_subtipo_unidade_saude (co_seq_subtp_unidade_saude)
);

CREATE SEQUENCE seq_tb_unidade_saude;

CREATE TABLE tb_tipo_servico (
    co_seq_tipo_servico bigint NOT NULL,
    no_tipo_servico varchar(50) NOT NULL,
    no_tipo_servico_filtro varchar(50),
    st_interno integer NOT NULL,
    co_localidade bigint,
    PRIMARY KEY (co_seq_tipo_servico),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade),
    UNIQUE (co_localidade, no_tipo_servico)
);

CREATE SEQUENCE seq_tb_tipo_servico;

CREATE TABLE rl_unidade_saude_tipo_servico (
    tp_servico bigint NOT NULL,
    co_ator_papel bigint NOT NULL,
    PRIMARY KEY (co_ator_papel, tp_servico),
    FOREIGN KEY (tp_servico) REFERENCES tb_tipo_servico (co_seq_tipo_servico),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_unidade_saude (co_seq_unidade_saude)
);

CREATE TABLE tb_tipo_equipe (
    co_seq_tipo_equipe bigint NOT NULL,
    sg_tipo_equipe varchar(30) NOT NULL,
    no_tipo_equipe varchar(200) NOT NULL,
    sg_tipo_equipe_filtro varchar(30),
    no_tipo_equipe_filtro varchar(200),
    nu_ms varchar(4) NOT NULL,
    ds_tp_equipe varchar(4),
    PRIMARY KEY (co_seq_tipo_equipe)
);

CREATE SEQUENCE seq_tb_tipo_equipe;

CREATE TABLE tb_equipe (
    co_seq_equipe bigint NOT NULL,
    nu_ine varchar(255),
    st_ativo integer NOT NULL,
    co_unidade_saude bigint NOT NULL,
    qt_referencia bigint,
    tp_equipe bigint,
    ds_area varchar(255),
    no_equipe varchar(255),
    no_equipe_filtro varchar(255),
    co_unico_equipe varchar(255),
    PRIMARY KEY (co_seq_equipe),
    FOREIGN KEY (co_unidade_saude) REFERENCES tb_unidade_saude (co_seq_unidade_saude),
    FOREIGN KEY (tp_equipe) REFERENCES tb_tipo_equipe (co_seq_tipo_equipe),
    UNIQUE (co_unico_equipe)
);

CREATE SEQUENCE seq_tb_equipe;

CREATE TABLE tb_lotacao (
    dt_desativacao_lotacao timestamp,
    co_cbo bigint NOT NULL,
    co_prof bigint NOT NULL,
    co_unidade_saude bigint NOT NULL,
    co_equipe bigint,
    co_ator_papel bigint NOT NULL,
    st_atualiza_perfil integer,
    st_importada integer,
    st_agenda_alterada_manual integer,
    dt_ultima_tentativa_envio timestamp,
    st_sincronizacao varchar(48),
    st_ativo_agenda_online integer,
    ds_ultima_tentativa text,
    co_unico_lotacao varchar(255),
    PRIMARY KEY (co_ator_papel),
    FOREIGN KEY (co_cbo) REFERENCES tb_cbo (co_cbo),
    FOREIGN KEY (co_prof) REFERENCES tb_prof (co_seq_prof),
    FOREIGN KEY (co_unidade_saude) REFERENCES tb_unidade_saude (co_seq_unidade_saude),
    FOREIGN KEY (co_equipe) REFERENCES tb_equipe (co_seq_equipe),
    UNIQUE (co_unico_lotacao)
);

CREATE TABLE tb_processo (
    co_seq_processo bigint NOT NULL,
    st_processo varchar(100) NOT NULL,
    dt_inicio timestamp NOT NULL,
    PRIMARY KEY (co_seq_processo)
);

CREATE SEQUENCE seq_tb_processo;

CREATE TABLE tb_importacao_cnes (
    co_seq_importacao_cnes bigint NOT NULL,
    dt_relatorio timestamp NOT NULL,
    co_ator_papel_bkp bigint,
    co_prof bigint,
    nu_unidades_novas bigint,
    nu_unidades_atualizadas bigint,
    nu_equipes_novas bigint,
    nu_equipes_atualizadas bigint,
    nu_profissionais_novos bigint,
    nu_profissionais_atualizados bigint,
    nu_lotacoes_novas bigint,
    nu_lotacoes_atualizadas bigint,
    co_processo bigint,
    co_localidade bigint,
    ds_detalhes text,
    PRIMARY KEY (co_seq_importacao_cnes),
    FOREIGN KEY (co_prof) REFERENCES tb_prof (co_seq_prof),
    FOREIGN KEY (co_processo) REFERENCES tb_processo (co_seq_processo),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE SEQUENCE seq_tb_importacao_cnes;

CREATE TABLE tb_auditoria_evento (
    co_seq_auditoria_evento bigint NOT NULL,
    dt_evento timestamp,
    tp_evento integer,
    ds_componente_gerador varchar(1000),
    co_usuario bigint,
    ds_detalhes text,
    tp_registro_afetado integer,
    co_registro_afetado text,
    PRIMARY KEY (co_seq_auditoria_evento)
);

CREATE SEQUENCE seq_tb_auditoria_evento;

CREATE TABLE tb_cfg_agenda (
    co_seq_config_agenda bigint NOT NULL,
    co_entidade_configurada bigint NOT NULL,
    co_tipo_cfg_agenda bigint NOT NULL,
    PRIMARY KEY (co_seq_config_agenda)
);

CREATE SEQUENCE seq_tb_cfg_agenda;

CREATE TABLE tb_dia_semana (
    co_dia_semana bigint NOT NULL,
    no_identificador varchar(30) NOT NULL,
    PRIMARY KEY (co_dia_semana)
);

CREATE TABLE tb_periodo (
    co_periodo bigint NOT NULL,
    no_identificador varchar(30) NOT NULL,
    PRIMARY KEY (co_periodo)
);

CREATE TABLE tb_cfg_agenda_detalhe (
    co_seq_config_agenda_detalhe bigint NOT NULL,
    co_dia_semana bigint NOT NULL,
    co_periodo bigint NOT NULL,
    horario_inicial varchar(5) NOT NULL,
    horario_final varchar(5) NOT NULL,
    co_cfg_agenda bigint NOT NULL,
    PRIMARY KEY (co_seq_config_agenda_detalhe),
    FOREIGN KEY (co_dia_semana) REFERENCES tb_dia_semana (co_dia_semana),
    FOREIGN KEY (co_periodo) REFERENCES tb_periodo (co_periodo),
    FOREIGN KEY (co_cfg_agenda) REFERENCES tb_cfg_agenda (co_seq_config_agenda)
);

CREATE SEQUENCE seq_tb_cfg_agenda_detalhe;

CREATE TABLE tb_complexidade (
    no_complexidade varchar(100) NOT NULL,
    sg_complexidade varchar(2) NOT NULL,
    co_complexidade bigint NOT NULL,
    PRIMARY KEY (co_complexidade)
);

CREATE TABLE rl_unidade_saude_complexidade (
    co_ator_papel bigint NOT NULL,
    co_complexidade bigint NOT NULL,
    PRIMARY KEY (co_complexidade, co_ator_papel),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_unidade_saude (co_seq_unidade_saude),
    FOREIGN KEY (co_complexidade) REFERENCES tb_complexidade (co_complexidade)
);

CREATE TABLE tb_perfil (
    co_seq_perfil bigint NOT NULL,
    no_perfil varchar(100) NOT NULL,
    no_perfil_filtro varchar(50) NOT NULL,
    qt_referencia bigint,
    co_localidade bigint,
    no_perfil_padrao varchar(100),
    st_ativo integer,
    no_tipo_perfil varchar(100) NOT NULL,
    PRIMARY KEY (co_seq_perfil),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE SEQUENCE seq_tb_perfil;

CREATE TABLE rl_ator_papel_perfil (
    co_ator_papel bigint NOT NULL,
    co_perfil bigint NOT NULL,
    PRIMARY KEY (co_ator_papel, co_perfil),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_ator_papel (co_seq_ator_papel),
    FOREIGN KEY (co_perfil) REFERENCES tb_perfil (co_seq_perfil)
);

CREATE TABLE rl_perfil_cbo_padrao (
    co_cbo bigint NOT NULL,
    no_perfil_padrao varchar(100) NOT NULL,
    no_perfil_padrao_ad varchar(100),
    PRIMARY KEY (co_cbo, no_perfil_padrao),
    FOREIGN KEY (co_cbo) REFERENCES tb_cbo (co_cbo)
);

CREATE TABLE tb_cbo_atend (
    co_cbo bigint NOT NULL,
    qt_tempo_consulta integer,
    co_localidade bigint,
    co_seq_cbo_atend bigint NOT NULL,
    st_disponivel_lotacao integer,
    PRIMARY KEY (co_seq_cbo_atend),
    FOREIGN KEY (co_cbo) REFERENCES tb_cbo (co_cbo),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE SEQUENCE seq_tb_cbo_atend;

CREATE TABLE tb_cfg_agenda_municipal (
    co_seq_cfg_agenda_municipal bigint NOT NULL,
    co_localidade bigint NOT NULL,
    nu_duracao_atendimento_padrao integer NOT NULL,
    PRIMARY KEY (co_seq_cfg_agenda_municipal),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE SEQUENCE seq_tb_cfg_agenda_municipal;

CREATE TABLE tb_cfg_rnds (
    co_seq_cfg_rnds bigint NOT NULL,
    co_localidade bigint NOT NULL,
    co_ator_papel bigint NOT NULL,
    no_certificado varchar(255) NOT NULL,
    ds_senha_certificado varchar(255) NOT NULL,
    dt_inclusao timestamp NOT NULL,
    dt_habilitacao timestamp NOT NULL,
    dt_validade_certificado timestamp NOT NULL,
    co_identificador_solicitante varchar(255) NOT NULL,
    PRIMARY KEY (co_seq_cfg_rnds),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade),
    FOREIGN KEY (co_ator_papel) REFERENCES tb_adm_municipal (co_ator_papel)
);

CREATE SEQUENCE seq_tb_cfg_rnds;

CREATE TABLE ta_usuario (
    co_seq_tausuario bigint NOT NULL,
    co_tipo_auditoria varchar(1) NOT NULL,
    dt_auditoria timestamp NOT NULL,
    co_seq_usuario bigint,
    st_bloqueado integer,
    ds_senha varchar(255),
    st_trocar_senha integer,
    co_ator bigint,
    dt_ultima_atualizacao_senha date,
    st_termo_uso integer,
    st_forcar_troca_senha integer,
    nr_tentativas_acesso integer,
    ds_login varchar(255),
    dt_envio_email_recuperar_senha timestamp,
    st_visualizou_novidades integer,
    st_pesquisa_respondida integer,
    dt_primeiro_login_versao timestamp,
    dt_pesquisa_respondida timestamp,
    PRIMARY KEY (co_seq_tausuario)
);

CREATE SEQUENCE seq_ta_usuario;


-- PEC's audit trigger on tb_usuario (5.5 keeps ta_* copies of audited tables): a write that
-- pec-tui makes goes through it like PEC's own.
CREATE FUNCTION ft_auditoria_usuario() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ta_usuario (co_seq_tausuario, co_tipo_auditoria, dt_auditoria, co_seq_usuario, st_bloqueado,
                            ds_senha, st_trocar_senha, co_ator, dt_ultima_atualizacao_senha, st_termo_uso,
                            st_forcar_troca_senha, nr_tentativas_acesso, ds_login)
    VALUES (nextval('seq_ta_usuario'), substr(TG_OP, 1, 1), now(), NEW.co_seq_usuario, NEW.st_bloqueado,
            NEW.ds_senha, NEW.st_trocar_senha, NEW.co_ator, NEW.dt_ultima_atualizacao_senha, NEW.st_termo_uso,
            NEW.st_forcar_troca_senha, NEW.nr_tentativas_acesso, NEW.ds_login);
    RETURN NEW;
END
$$;

CREATE TRIGGER tg_auditoria_usuario AFTER INSERT OR UPDATE ON tb_usuario
    FOR EACH ROW EXECUTE FUNCTION ft_auditoria_usuario();

-- Gestão municipal (3.11.2): SIGTAP procedures, the municipality's exam groups and their exams.
CREATE TABLE tb_proced (
    co_seq_proced bigint NOT NULL,
    no_proced varchar(260) NOT NULL,
    no_proced_filtro varchar(260) NOT NULL,
    nu_idade_minima integer NOT NULL,
    nu_idade_maxima integer NOT NULL,
    co_proced varchar(255) NOT NULL,
    dt_competencia varchar(6) NOT NULL,
    st_ativo integer NOT NULL,
    st_masculino integer,
    st_feminino integer,
    co_complexidade bigint,
    co_proced_grupo bigint,
    co_proced_subgrupo bigint,
    co_proced_forma_organizacional bigint,
    st_filtro_padrao integer,
    st_proced_padrao_dab integer,
    st_proced_dab integer,
    co_proced_filtro varchar(255),
    co_proced_ref_sigtap bigint,
    st_idade_aplicavel integer NOT NULL,
    tp_proced varchar(30),
    st_plano integer,
    st_exame integer,
    PRIMARY KEY (co_seq_proced)
);

CREATE SEQUENCE seq_tb_proced;

CREATE TABLE tb_grupo_exame (
    co_seq_grupo_exame bigint NOT NULL,
    no_grupo_exame varchar(255) NOT NULL,
    nu_idade_minima integer NOT NULL,
    nu_idade_maxima integer NOT NULL,
    co_localidade bigint NOT NULL,
    no_sexo varchar(24),
    PRIMARY KEY (co_seq_grupo_exame),
    FOREIGN KEY (co_localidade) REFERENCES tb_localidade (co_localidade)
);

CREATE SEQUENCE seq_tb_grupo_exame;

CREATE TABLE rl_proced_grupo_exame (
    co_seq_proced_grupo_exame bigint NOT NULL,
    co_grupo_exame bigint NOT NULL,
    co_proced bigint NOT NULL,
    PRIMARY KEY (co_seq_proced_grupo_exame),
    UNIQUE (co_grupo_exame, co_proced),
    FOREIGN KEY (co_grupo_exame) REFERENCES tb_grupo_exame (co_seq_grupo_exame),
    FOREIGN KEY (co_proced) REFERENCES tb_proced (co_seq_proced)
);

CREATE SEQUENCE seq_rl_proced_grupo_exame;
